import { WebhookError } from '../errors.js'

/** How a sender writes its timestamp: Unix seconds (most) or Unix milliseconds (WorkOS). */
export type TimestampUnit = 'seconds' | 'ms'

const digits: Record<TimestampUnit, RegExp> = { seconds: /^[0-9]{1,15}$/, ms: /^[0-9]{1,16}$/ }

/**
 * Parses a strict integer Unix timestamp, in seconds (default) or in
 * milliseconds (`unit: 'ms'`), and checks it lies within `toleranceSeconds`
 * of now, in both directions, edges included. Returns Unix seconds.
 */
export function checkTimestamp(
  text: string,
  nowMs: number,
  toleranceSeconds: number,
  unit: TimestampUnit = 'seconds',
): number {
  if (!digits[unit].test(text) || !Number.isSafeInteger(Number(text))) {
    throw new WebhookError('invalid_timestamp', `timestamp is not an integer number of ${unit}`)
  }
  // Compared in the unit the sender wrote, so a millisecond timestamp is not rounded into the window.
  const scale = unit === 'ms' ? 1000 : 1
  const timestamp = Number(text)
  const now = unit === 'ms' ? Math.floor(nowMs) : Math.floor(nowMs / 1000)
  const tolerance = toleranceSeconds * scale
  if (now - timestamp > tolerance) {
    throw new WebhookError(
      'timestamp_too_old',
      `timestamp is ${(now - timestamp) / scale} s old (tolerance ${toleranceSeconds} s)`,
    )
  }
  if (timestamp - now > tolerance) {
    throw new WebhookError(
      'timestamp_too_new',
      `timestamp is ${(timestamp - now) / scale} s in the future (tolerance ${toleranceSeconds} s); check the clocks`,
    )
  }
  return Math.floor(timestamp / scale)
}
