// A receiver process for the broker fault tests: Express + hookguard + the Redis dedupe store + one broker handoff
// (BROKER = bullmq | nats | rabbitmq). Settings come from the environment (see startBrokerReceiver in
// fault-helpers.ts). Prints `listening on <url>` when ready and a `counters {...}` line when stopped with SIGTERM.
import { bullmqHandoff } from '@hookguard/bullmq'
import { createGuard, type Logger, standardWebhooks, type WebhookEvent } from '@hookguard/core'
import { hookguard } from '@hookguard/express'
import { jetstreamHandoff } from '@hookguard/nats'
import { rabbitmqHandoff } from '@hookguard/rabbitmq'
import { redisStore } from '@hookguard/redis'
import { connect as amqpConnect } from 'amqplib'
import { Queue } from 'bullmq'
import express from 'express'
import { Redis } from 'ioredis'
import { connect as natsConnect } from 'nats'

function setting(name: string): string {
  const value = process.env[name]
  if (value === undefined) throw new Error(`${name} is not set`)
  return value
}

const name = setting('RECEIVER_NAME')
const counts: Record<string, number> = { enqueued: 0, enqueueFailed: 0, completeFailed: 0, releaseFailed: 0 }
const count = (what: string) => {
  counts[what] = (counts[what] ?? 0) + 1
}

/** A client that fails at once while Redis is down and reconnects quickly when it is back. */
function failFastRedis(port: string): Redis {
  const client = new Redis({
    host: '127.0.0.1',
    port: Number(port),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => 50,
  })
  client.on('error', () => {})
  return client
}

function ready(client: Redis): Promise<void> {
  if (client.status === 'ready') return Promise.resolve()
  return new Promise((resolve) => client.once('ready', () => resolve()))
}

/** The handoff under test, and how to close what it holds. */
async function handoff(): Promise<{ enqueue: (event: WebhookEvent) => Promise<string>; close: () => Promise<void> }> {
  const broker = setting('BROKER')
  if (broker === 'bullmq') {
    const connection = failFastRedis(setting('BULLMQ_REDIS_PORT'))
    await ready(connection)
    const queue = new Queue(setting('QUEUE_NAME'), { connection, prefix: setting('BULL_PREFIX') })
    queue.on('error', () => {})
    const enqueue = bullmqHandoff(queue)
    return { enqueue, close: () => queue.close() }
  }
  if (broker === 'nats') {
    const nc = await natsConnect({
      servers: `127.0.0.1:${setting('NATS_PORT')}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 100,
    })
    const publish = jetstreamHandoff(nc.jetstream({ timeout: 2_000 }), {
      subject: (event) => `${setting('SUBJECT_PREFIX')}.${event.type}`,
      stream: setting('STREAM'),
    })
    return {
      enqueue: async (event) => ((await publish(event)).duplicate ? 'duplicateAck' : 'stored'),
      close: () => nc.close(),
    }
  }
  if (broker === 'rabbitmq') {
    const publish = rabbitmqHandoff({
      connect: () => amqpConnect(`amqp://guest:guest@127.0.0.1:${setting('AMQP_PORT')}`),
      routingKey: setting('QUEUE_NAME'),
      timeoutMs: 2_000,
    })
    return {
      enqueue: async (event) => {
        await publish(event)
        return 'confirmed'
      },
      close: () => publish.close(),
    }
  }
  throw new Error(`unknown BROKER ${broker}`)
}

const store = failFastRedis(setting('STORE_REDIS_PORT'))
await ready(store)
const broker = await handoff()

const logger: Logger = {
  info: () => {},
  error: () => {},
  warn: (record) => {
    const detail = (record as { detail?: string }).detail ?? ''
    if (detail.startsWith('complete:')) count('completeFailed')
    if (detail.startsWith('release:')) count('releaseFailed')
  },
}

const guard = createGuard({
  verify: [standardWebhooks({ secret: setting('WEBHOOK_SECRET') })],
  dedupe: redisStore({ client: store, prefix: setting('STORE_PREFIX'), timeoutMs: 500 }),
  leaseMs: Number(setting('LEASE_MS')),
  enqueueTimeoutMs: 2_000,
  logger,
  enqueue: async (event) => {
    try {
      count(await broker.enqueue(event))
      count('enqueued')
    } catch (error) {
      count('enqueueFailed')
      throw error
    }
  },
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
  store.disconnect()
  broker.close().catch(() => {})
})
