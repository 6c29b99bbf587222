/** How a sender retries: exponential back-off, or an explicit schedule. */
export interface RetryOptions {
  /** Deliveries at most, the first included (1–100). Default 5. */
  attempts?: number
  /** The wait before the first retry, in ms. Default 1 000. */
  baseMs?: number
  /** Each wait is the previous one times this. Default 2. */
  factor?: number
  /** No wait is longer than this, in ms. Default 60 000. */
  maxDelayMs?: number
  /** Randomize each wait between half and all of it, as senders do so retries spread out. Default `true`. */
  jitter?: boolean
  /** The waits before each retry, in ms; overrides the settings above (`attempts` is its length + 1). */
  schedule?: readonly number[]
}

const maxAttempts = 100

function nonNegative(value: number | undefined, option: string, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`retry.${option} must be a non-negative number`)
  }
  return value
}

/**
 * The waits before each retry, in ms: `[]` when `retry` is `false`.
 *
 * @example
 * ```ts
 * retryDelays({ attempts: 4, baseMs: 10, factor: 2, jitter: false }) // [10, 20, 40]
 * retryDelays({ schedule: [5, 60, 300] })                            // [5, 60, 300]
 * ```
 */
export function retryDelays(retry: RetryOptions | false | undefined, random: () => number = Math.random): number[] {
  if (retry === false) return []
  const options = retry ?? {}
  if (options.schedule !== undefined) {
    if (!Array.isArray(options.schedule) || options.schedule.length >= maxAttempts) {
      throw new TypeError(`retry.schedule must be a list of fewer than ${maxAttempts} waits`)
    }
    return options.schedule.map((wait, i) => nonNegative(wait, `schedule[${i}]`, 0))
  }
  const attempts = options.attempts ?? 5
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > maxAttempts) {
    throw new TypeError(`retry.attempts must be a whole number from 1 to ${maxAttempts}`)
  }
  const base = nonNegative(options.baseMs, 'baseMs', 1_000)
  const factor = nonNegative(options.factor, 'factor', 2)
  const max = nonNegative(options.maxDelayMs, 'maxDelayMs', 60_000)
  const jitter = options.jitter ?? true
  const delays: number[] = []
  for (let retryIndex = 0; retryIndex < attempts - 1; retryIndex++) {
    const wait = Math.min(max, base * factor ** retryIndex)
    delays.push(Math.round(jitter ? wait / 2 + (random() * wait) / 2 : wait))
  }
  return delays
}
