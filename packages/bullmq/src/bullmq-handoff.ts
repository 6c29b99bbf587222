import type { WebhookEvent } from '@hookguard/core'
import type { JobsOptions, Queue } from 'bullmq'
import { bullmqJobId, checkNamespace } from './key.js'

/** Options for {@link bullmqHandoff}. */
export interface BullmqHandoffOptions {
  /**
   * Part of every job id, so several receivers can share a queue without their
   * ids meeting. Default `hookguard`.
   */
  namespace?: string
  /** The job name: a string, or one per event. Default: the event type, else `webhook`. */
  name?: string | ((event: WebhookEvent) => string)
  /**
   * BullMQ options for every job (`attempts`, `backoff`, `removeOnComplete`, …).
   * Not `jobId`: that is the event's. Default: the queue's `defaultJobOptions`.
   */
  jobOptions?: Omit<JobsOptions, 'jobId'>
}

/**
 * What one handoff did: added the job; found the event's job already there; or
 * found it gone by the time it was read back (a worker finished and removed it).
 */
export type BullmqHandoffResult = 'added' | 'existing' | 'gone'

/** The queue operations the handoff uses; a BullMQ `Queue` has them. */
export type BullmqQueue = Pick<Queue, 'add' | 'getJob'>

/**
 * An `enqueue` for `createGuard` that adds one BullMQ job per event, with the
 * event as its data and {@link bullmqJobId} of the event id as its job id. It
 * resolves once Redis holds the job. BullMQ's `add` does not fail when the job
 * id exists: it returns without adding. So the handoff reads the job back: if
 * it holds the same event (an earlier delivery got past the guard's dedupe, its
 * done mark lost), the handoff resolves and the queue keeps one job; if it holds
 * anything else, the handoff throws, and the guard answers 503 `enqueue_failed`.
 * A Redis error throws too (503). An event without an id is refused (throws).
 *
 * Give the queue a connection that fails fast while Redis is down
 * (`enableOfflineQueue: false`), so the sender gets its 503 at once.
 *
 * @example
 * ```ts
 * import { createGuard, standardWebhooks } from '@hookguard/core'
 * import { bullmqHandoff } from '@hookguard/bullmq'
 * import { Queue } from 'bullmq'
 *
 * const queue = new Queue('webhooks', { connection: { host: '127.0.0.1', enableOfflineQueue: false } })
 * const guard = createGuard({
 *   verify: [standardWebhooks({ secret: process.env.WEBHOOK_SECRET! })],
 *   enqueue: bullmqHandoff(queue, { jobOptions: { attempts: 5, removeOnComplete: 1000 } }),
 * })
 * ```
 */
export function bullmqHandoff(
  queue: BullmqQueue,
  options: BullmqHandoffOptions = {},
): (event: WebhookEvent) => Promise<BullmqHandoffResult> {
  if (!queue || typeof queue.add !== 'function' || typeof queue.getJob !== 'function') {
    throw new TypeError('bullmqHandoff: queue must be a BullMQ Queue')
  }
  if (!options || typeof options !== 'object') throw new TypeError('bullmqHandoff: options must be an object')
  const namespace = checkNamespace('bullmqHandoff', options.namespace ?? 'hookguard')
  const jobName = jobNameOf(options.name)
  const jobOptions = options.jobOptions ?? {}
  if (typeof jobOptions !== 'object' || jobOptions === null) {
    throw new TypeError('bullmqHandoff: jobOptions must be an object')
  }
  if ('jobId' in jobOptions) throw new TypeError('bullmqHandoff: jobOptions must not set jobId (it is the event id)')

  return async function bullmqEnqueue(event: WebhookEvent): Promise<BullmqHandoffResult> {
    if (event.id === null) throw new Error('bullmqHandoff: the event has no id; configure an event id')
    const jobId = bullmqJobId(event.id, namespace)
    const job = await queue.add(jobName(event), event, { ...jobOptions, jobId })
    // `add` answered with our own object either way; what Redis holds tells whether it was added.
    const stored = await queue.getJob(jobId)
    // A worker finished and removed it (removeOnComplete) since `add`: it was there.
    if (stored === undefined) return 'gone'
    const data = stored.data as Partial<WebhookEvent> | null
    if (data?.id !== event.id) throw new Error(`bullmqHandoff: job ${jobId} exists and holds another event`)
    return stored.timestamp === job.timestamp && data.receivedAt === event.receivedAt ? 'added' : 'existing'
  }
}

function jobNameOf(name: BullmqHandoffOptions['name']): (event: WebhookEvent) => string {
  if (name === undefined) return (event) => event.type ?? 'webhook'
  if (typeof name === 'string' && name !== '') return () => name
  if (typeof name === 'function') {
    return (event) => {
      const value = name(event)
      if (typeof value !== 'string' || value === '')
        throw new Error('bullmqHandoff: name() must return a non-empty string')
      return value
    }
  }
  throw new TypeError('bullmqHandoff: name must be a non-empty string or a function')
}
