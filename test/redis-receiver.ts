// A receiver process for the multi-process and fault tests: Express + hookguard + the Redis store. Its "queue"
// is a file: one line `id receiver epochMs` per enqueued event, appended before enqueue resolves, so it
// survives Redis restarts. Settings come from the environment (see startReceiver in redis-helpers.ts).
// Prints `listening on <url>` when ready and a `counters {...}` line when stopped with SIGTERM.
import { appendFile } from 'node:fs/promises'
import { createGuard, type Logger, standardWebhooks } from '@hookguard/core'
import { hookguard } from '@hookguard/express'
import { redisStore } from '@hookguard/redis'
import express from 'express'
import { Redis } from 'ioredis'

function setting(name: string): string {
  const value = process.env[name]
  if (value === undefined) throw new Error(`${name} is not set`)
  return value
}

const name = setting('RECEIVER_NAME')
const queueFile = setting('QUEUE_FILE')
const failRate = Number(setting('FAIL_RATE'))
const enqueueDelayMs = Number(setting('ENQUEUE_DELAY_MS'))
const counts = { enqueued: 0, enqueueFailed: 0, completeFailed: 0, releaseFailed: 0 }

// Fail fast while Redis is down (the guard answers 503), reconnect quickly when it is back.
const client = new Redis({
  host: '127.0.0.1',
  port: Number(setting('REDIS_PORT')),
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  retryStrategy: () => 50,
})
client.on('error', () => {})

const logger: Logger = {
  info: () => {},
  error: () => {},
  warn: (record) => {
    const detail = (record as { detail?: string }).detail ?? ''
    if (detail.startsWith('complete:')) counts.completeFailed += 1
    if (detail.startsWith('release:')) counts.releaseFailed += 1
  },
}

const guard = createGuard({
  verify: [standardWebhooks({ secret: setting('WEBHOOK_SECRET') })],
  dedupe: redisStore({ client, prefix: setting('STORE_PREFIX'), timeoutMs: Number(setting('STORE_TIMEOUT_MS')) }),
  leaseMs: Number(setting('LEASE_MS')),
  enqueueTimeoutMs: 2_000,
  logger,
  enqueue: async (event) => {
    if (enqueueDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * enqueueDelayMs))
    if (Math.random() < failRate) {
      counts.enqueueFailed += 1
      throw new Error('simulated queue outage')
    }
    await appendFile(queueFile, `${event.id} ${name} ${Date.now()}\n`)
    counts.enqueued += 1
  },
})

await new Promise<void>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('Redis not ready within 10 s')), 10_000)
  client.once('ready', () => {
    clearTimeout(timer)
    resolve()
  })
})

const app = express()
app.post('/hooks', hookguard(guard))
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address()
  if (address && typeof address === 'object') console.log(`listening on http://127.0.0.1:${address.port}/hooks`)
})

process.once('SIGTERM', () => {
  console.log(`counters ${JSON.stringify({ name, ...counts, ...guard.counters })}`)
  server.close()
  server.closeAllConnections()
  client.disconnect()
})
