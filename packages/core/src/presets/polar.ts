import { base64Encode } from '#crypto'
import { nonEmptyString, oneOrMore, requireOptions } from '../verify/option-checks.js'
import { standardWebhooksAs } from '../verify/standard-webhooks.js'
import type { Verifier } from '../verify/verifier.js'

/** Options for {@link polar}. */
export interface PolarOptions {
  /** The webhook's secret as Polar shows it, or several during a rotation. */
  secret: string | readonly string[]
  /** Allowed clock difference in seconds, both directions. Default: the guard's (300). */
  toleranceSeconds?: number
}

const encoder = new TextEncoder()

/**
 * Verifies Polar webhooks: Standard Webhooks (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature`), with one difference Polar's own
 * SDK makes: the HMAC key is the secret's text as UTF-8 bytes, not its base64
 * decoding (`validateEvent` base64-encodes the secret before handing it to the
 * Standard Webhooks library). The event id is `webhook-id` (signed), the type
 * the payload's `type` (`order.paid`, …). Timestamp window: the guard's.
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [polar({ secret: process.env.POLAR_WEBHOOK_SECRET! })],
 *   enqueue: async (event) => queue.add(event.type ?? 'polar', event),
 * })
 * ```
 */
export function polar(options: PolarOptions): Verifier {
  requireOptions(options, 'polar')
  const secrets = oneOrMore(options.secret, 'polar', 'secret').map((secret, i) =>
    base64Encode(encoder.encode(nonEmptyString(secret, 'polar', `secret[${i}]`))),
  )
  const tolerance = options.toleranceSeconds === undefined ? {} : { toleranceSeconds: options.toleranceSeconds }
  return { ...standardWebhooksAs({ secret: secrets, ...tolerance }, 'polar'), name: 'polar' }
}
