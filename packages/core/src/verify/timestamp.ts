import { WebhookError } from '../errors.js'

const unixSeconds = /^[0-9]{1,15}$/

/**
 * Parses a strict integer Unix timestamp in seconds and checks it lies within
 * `toleranceSeconds` of now, in both directions, edges included.
 */
export function checkTimestamp(text: string, nowMs: number, toleranceSeconds: number): number {
  if (!unixSeconds.test(text))
    throw new WebhookError('invalid_timestamp', 'timestamp is not an integer number of seconds')
  const timestamp = Number(text)
  const now = Math.floor(nowMs / 1000)
  if (now - timestamp > toleranceSeconds) {
    throw new WebhookError(
      'timestamp_too_old',
      `timestamp is ${now - timestamp} s old (tolerance ${toleranceSeconds} s)`,
    )
  }
  if (timestamp - now > toleranceSeconds) {
    throw new WebhookError(
      'timestamp_too_new',
      `timestamp is ${timestamp - now} s in the future (tolerance ${toleranceSeconds} s); check the clocks`,
    )
  }
  return timestamp
}
