// The queue side: a BullMQ worker whose handler is idempotent, because a queue delivers at least once.
import type { WebhookEvent } from '@hookguard/core'
import { type ConnectionOptions, Worker } from 'bullmq'
import type { Redis } from 'ioredis'

/** How long a processed event id is remembered: longer than any sender retries (DESIGN.md: 96 h). */
const rememberSeconds = 7 * 24 * 3600

/**
 * Handles one event at most once in effect. The work itself should be an
 * upsert keyed by the event id (or share a transaction with the marker), so
 * a crash between the work and the marker only repeats harmless work.
 *
 * @example
 * ```ts
 * await handleEvent(event, redis, 'example:') // 'processed', then 'skipped' for the same id
 * ```
 */
export async function handleEvent(event: WebhookEvent, redis: Redis, prefix: string): Promise<'processed' | 'skipped'> {
  const marker = `${prefix}processed:${event.id}`
  if ((await redis.exists(marker)) === 1) {
    console.log(`skipping ${event.id}: already processed`)
    return 'skipped'
  }
  console.log(`processing ${event.type ?? 'event'} ${event.id}`, JSON.stringify(event.payload))
  // ...your work here, e.g. UPSERT INTO scans (id, status) keyed by the payload...
  await redis.set(marker, new Date().toISOString(), 'EX', rememberSeconds)
  return 'processed'
}

/** Where the worker runs and what it uses. */
export interface WorkerSettings {
  queueName: string
  /** A connection for BullMQ: a client made with `{ maxRetriesPerRequest: null }`, as workers require. */
  connection: ConnectionOptions
  /** The client the handler keeps its processed markers in. */
  redis: Redis
  /** Key prefix of the markers. Default `example:`. */
  markerPrefix?: string
  /** BullMQ key prefix. Default `bull`. */
  bullPrefix?: string
}

/**
 * Starts a BullMQ worker that runs {@link handleEvent} for each job.
 *
 * @example
 * ```ts
 * const worker = startWorker({ queueName: 'webhooks', connection, redis })
 * await worker.close()
 * ```
 */
export function startWorker(settings: WorkerSettings): Worker<WebhookEvent> {
  const markerPrefix = settings.markerPrefix ?? 'example:'
  return new Worker<WebhookEvent>(
    settings.queueName,
    async (job) => handleEvent(job.data, settings.redis, markerPrefix),
    { connection: settings.connection, prefix: settings.bullPrefix },
  )
}
