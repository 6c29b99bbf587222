// A webhook receiver that hands events to BullMQ: dedupe on Redis, one job per event id, and a worker in the
// same process whose handler is idempotent.
//
//   WEBHOOK_SECRET=whsec_... REDIS_URL=redis://127.0.0.1:6379 PORT=3000 npm start
import type { WebhookEvent } from '@hookguard/core'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { createReceiver } from './receiver.js'
import { startWorker } from './worker.js'

const demoSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const secret = process.env.WEBHOOK_SECRET ?? demoSecret
if (secret === demoSecret)
  console.warn('WEBHOOK_SECRET is not set: using the demo secret. Never do this in production.')

const development = process.env.NODE_ENV !== 'production'
/** One JSON line per log record, its message first. */
const logLine = (write: (line: string) => void) => (record: object, message?: string) =>
  write(JSON.stringify({ msg: message, ...record }))
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

// Dedupe and the producer fail fast while Redis is down: the sender gets a 503 and retries later.
const storeClient = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 0 })
const queueClient = new Redis(redisUrl, { enableOfflineQueue: false })
// BullMQ workers block on Redis and must wait out outages: maxRetriesPerRequest null.
const workerClient = new Redis(redisUrl, { maxRetriesPerRequest: null })
for (const client of [storeClient, queueClient, workerClient]) client.on('error', (e) => console.error(e.message))

const queue = new Queue<WebhookEvent>('webhooks', {
  connection: queueClient,
  // Keep finished jobs a week: while a job is kept, its id refuses a second copy of the event.
  defaultJobOptions: {
    attempts: 5,
    backoff: { type: 'exponential', delay: 1_000 },
    removeOnComplete: { age: 7 * 24 * 3600 },
    removeOnFail: { age: 7 * 24 * 3600 },
  },
})
const worker = startWorker({ queueName: 'webhooks', connection: workerClient, redis: workerClient })
worker.on('failed', (job, error) => console.error(`job ${job?.id} failed: ${error.message}`))
await Promise.all([queue.waitUntilReady(), worker.waitUntilReady()])

const app = createReceiver({
  secret,
  redis: storeClient,
  queue,
  // In development (NODE_ENV not 'production') the debug records too: why each delivery was refused.
  logger: {
    ...(development && { debug: logLine(console.debug) }),
    info: logLine(console.log),
    warn: logLine(console.warn),
    error: logLine(console.error),
  },
})
const port = Number(process.env.PORT ?? 3000)
const host = process.env.HOST ?? '127.0.0.1'
// Express 5 hands a listen error to this callback (and no longer throws it); the Redis clients would keep the
// process alive, so it exits.
const server = app.listen(port, host, (error?: Error) => {
  if (error) exitOnListenError(error)
  console.log(`listening on http://${host}:${port}/hooks`)
})
/** A port already taken (EADDRINUSE) or any other listen failure: say so and exit non-zero. */
function exitOnListenError(error: Error): never {
  console.error(`cannot listen on ${host}:${port}: ${error.message}`)
  process.exit(1)
}

async function shutdown(): Promise<void> {
  server.close()
  await worker.close()
  await queue.close()
  for (const client of [storeClient, queueClient, workerClient]) client.disconnect()
}
process.once('SIGINT', shutdown)
process.once('SIGTERM', shutdown)
