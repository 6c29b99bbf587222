import { type RetryOptions, retryDelays } from './backoff.js'
import { type AttemptRecord, deliver } from './deliver.js'
import { newEventId } from './ids.js'
import { isPresetName, type PresetName, presetNames } from './presets.js'
import { signRequest } from './sign-request.js'
import type { Body, SignOptions } from './types.js'

/** One event to deliver. */
export interface SenderEvent {
  /** The event id, kept across retries. Default: a fresh one in the sender's format. */
  id?: string
  /** The payload, sent exactly as given (a JSON value is serialized once). */
  body: Body
  /** The event type where the sender puts it in a header (GitHub, Shopify). */
  type?: string
}

/** Options for {@link simulateSender}; the signing options are those of `signRequest`. */
export interface SimulateSenderOptions
  extends Omit<SignOptions, 'body' | 'id' | 'timestamp' | 'attempt' | 'url' | 'type'> {
  /** The endpoint. */
  url: string
  /** How to sign. */
  preset: PresetName
  /** What to deliver (at most 100 000). */
  events: readonly SenderEvent[]
  /** When to retry a delivery that got no 2xx in time; `false` for none. Default 5 attempts, 1 s × 2ⁿ, jittered. */
  retry?: RetryOptions | false
  /** How long each attempt waits for the whole answer, in ms. Default 10 000. */
  timeoutMs?: number
  /** Deliveries in flight at once (1–256). Default 1. */
  concurrency?: number
  /** The share of delivered events sent once more (0–1), as at-least-once senders do. Default 0. */
  duplicates?: number
  /** Deliver in a random order. Default `false`. */
  shuffle?: boolean
  /** The whole run stops after this long, in ms: no new attempts, the one in flight aborted. Default 300 000. */
  maxDurationMs?: number
  /** Called after every attempt, e.g. for a progress line. */
  onAttempt?: (attempt: AttemptRecord & { id: string; index: number }) => void
  /** Stops the run early. */
  signal?: AbortSignal
  /** The clock each attempt is signed with, in ms. Default `Date.now`. */
  now?: () => number
  /** The random source for jitter, duplicates and shuffling. Default `Math.random`. */
  random?: () => number
  /** The `fetch` to send with. Default the global one. */
  fetch?: typeof fetch
}

/** What happened to one event. */
export interface EventReport {
  id: string
  /** Its position in `events`. */
  index: number
  /** Every attempt, in order; duplicates are marked. */
  attempts: AttemptRecord[]
  /** `delivered` once an attempt got a 2xx; `failed` when the retries ran out (or the run stopped) first. */
  outcome: 'delivered' | 'failed'
}

/** What {@link simulateSender} returns. */
export interface SenderReport {
  /** One per event, in the order of `events`. */
  events: EventReport[]
  totals: {
    events: number
    delivered: number
    failed: number
    /** Every request sent, duplicates and retries included. */
    attempts: number
    /** Requests sent again after a failed attempt. */
    retries: number
    /** Deliberate re-sends of delivered events. */
    duplicates: number
    /** Attempts by HTTP status, or by `timeout`/`network`/`cancelled`. */
    byStatus: Record<string, number>
    durationMs: number
  }
}

interface Job {
  index: number
  duplicate: boolean
}

const maxEvents = 100_000

function range(value: number | undefined, option: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new TypeError(`simulateSender: ${option} must be a number from ${min} to ${max}`)
  }
  return value
}

function shuffled<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[items[i], items[j]] = [items[j] as T, items[i] as T]
  }
  return items
}

/**
 * Delivers events the way webhook senders do: signed afresh for every
 * attempt (a new timestamp, the same id), retried with exponential back-off
 * on a non-2xx answer, a timeout or a failed connection, optionally
 * out of order, concurrently, and with duplicates. Bounded in count
 * (100 attempts per delivery, 100 000 events) and time (`maxDurationMs`).
 *
 * @example
 * ```ts
 * import { simulateSender } from '@hookguard/testing'
 *
 * const report = await simulateSender({
 *   url: 'http://127.0.0.1:3000/hooks',
 *   preset: 'svix',
 *   secret: process.env.WEBHOOK_SECRET!,
 *   events: [{ body: { type: 'user.created' } }, { body: { type: 'user.deleted' } }],
 *   retry: { attempts: 5, baseMs: 10, factor: 2, jitter: true },
 *   duplicates: 0.2,
 *   shuffle: true,
 *   concurrency: 4,
 *   timeoutMs: 2_000,
 * })
 * expect(report.totals.failed).toBe(0)
 * ```
 */
export async function simulateSender(options: SimulateSenderOptions): Promise<SenderReport> {
  if (!options || typeof options !== 'object') throw new TypeError('simulateSender needs an options object')
  const { preset, url, events } = options
  if (!isPresetName(preset))
    throw new TypeError(`unknown preset ${String(preset)}: use one of ${presetNames.join(', ')}`)
  try {
    new URL(url)
  } catch {
    throw new TypeError('simulateSender: url must be an absolute URL')
  }
  if (!Array.isArray(events) || events.length > maxEvents) {
    throw new TypeError(`simulateSender: events must be a list of at most ${maxEvents}`)
  }
  const random = options.random ?? Math.random
  const delays = retryDelays(options.retry, random)
  const timeoutMs = range(options.timeoutMs, 'timeoutMs', 10_000, 1, 600_000)
  const concurrency = Math.floor(range(options.concurrency, 'concurrency', 1, 1, 256))
  const duplicateShare = range(options.duplicates, 'duplicates', 0, 0, 1)
  const maxDurationMs = range(options.maxDurationMs, 'maxDurationMs', 300_000, 1, 86_400_000)
  const fetchFn = options.fetch ?? globalThis.fetch
  const now = options.now ?? Date.now
  const {
    retry: _retry,
    events: _events,
    preset: _preset,
    url: _url,
    now: _now,
    onAttempt: _onAttempt,
    signal: _signal,
    random: _random,
    fetch: _fetch,
    timeoutMs: _timeoutMs,
    concurrency: _concurrency,
    duplicates: _duplicates,
    shuffle: _shuffle,
    maxDurationMs: _maxDurationMs,
    ...signOptions
  } = options

  const started = performance.now()
  const stop = new AbortController()
  const stopTimer = setTimeout(() => stop.abort(), maxDurationMs)
  const onCancel = () => stop.abort()
  options.signal?.addEventListener('abort', onCancel, { once: true })
  if (options.signal?.aborted) stop.abort()

  const reports: EventReport[] = events.map((event, index) => ({
    id: event.id ?? newEventId(preset),
    index,
    attempts: [],
    outcome: 'failed',
  }))
  const queue: Job[] = reports.map((report) => ({ index: report.index, duplicate: false }))
  if (options.shuffle) shuffled(queue, random)

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (stop.signal.aborted) return resolve()
      const timer = setTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        stop.signal.removeEventListener('abort', done)
        resolve()
      }
      stop.signal.addEventListener('abort', done, { once: true })
    })
  }

  /** One delivery: the first attempt and its retries; true once a 2xx came back. */
  async function run(job: Job): Promise<boolean> {
    const report = reports[job.index] as EventReport
    const event = events[job.index] as SenderEvent
    for (let attempt = 1; attempt <= delays.length + 1 && !stop.signal.aborted; attempt++) {
      const signed = await signRequest(preset, {
        ...signOptions,
        url,
        body: event.body,
        id: report.id,
        timestamp: Math.floor(now() / 1000),
        attempt: attempt - 1,
        ...(event.type === undefined ? {} : { type: event.type }),
      })
      if (attempt === 1 && !job.duplicate && signed.id !== undefined) report.id = signed.id
      const result = await deliver(fetchFn, signed.url ?? url, signed, timeoutMs, stop.signal)
      const record: AttemptRecord = { attempt, duplicate: job.duplicate, ...result }
      report.attempts.push(record)
      options.onAttempt?.({ ...record, id: report.id, index: job.index })
      if (result.status !== null && result.status >= 200 && result.status < 300) return true
      if (attempt <= delays.length) await sleep(delays[attempt - 1] as number)
    }
    return false
  }

  async function worker(): Promise<void> {
    for (let job = queue.shift(); job !== undefined && !stop.signal.aborted; job = queue.shift()) {
      const delivered = await run(job)
      if (job.duplicate) continue
      if (delivered) (reports[job.index] as EventReport).outcome = 'delivered'
      if (delivered && duplicateShare > 0 && random() < duplicateShare) {
        const at = options.shuffle ? Math.floor(random() * (queue.length + 1)) : queue.length
        queue.splice(at, 0, { index: job.index, duplicate: true })
      }
    }
  }

  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(queue.length, 1)) }, worker))
  } finally {
    clearTimeout(stopTimer)
    options.signal?.removeEventListener('abort', onCancel)
  }
  return { events: reports, totals: totalsOf(reports, performance.now() - started) }
}

function totalsOf(reports: readonly EventReport[], durationMs: number): SenderReport['totals'] {
  const totals: SenderReport['totals'] = {
    events: reports.length,
    delivered: 0,
    failed: 0,
    attempts: 0,
    retries: 0,
    duplicates: 0,
    byStatus: {},
    durationMs,
  }
  for (const report of reports) {
    totals[report.outcome]++
    for (const attempt of report.attempts) {
      totals.attempts++
      if (attempt.attempt > 1) totals.retries++
      if (attempt.duplicate && attempt.attempt === 1) totals.duplicates++
      const key = attempt.status === null ? (attempt.error?.kind ?? 'network') : String(attempt.status)
      totals.byStatus[key] = (totals.byStatus[key] ?? 0) + 1
    }
  }
  return totals
}
