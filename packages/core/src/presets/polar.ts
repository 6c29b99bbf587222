import { base64Encode } from '#crypto'
import type { Keys } from '../verify/key-resolver.js'
import { mapKeys } from '../verify/map-keys.js'
import { nonEmptyString, requireOptions } from '../verify/option-checks.js'
import { standardWebhooksAs } from '../verify/standard-webhooks.js'
import type { Verifier } from '../verify/verifier.js'

/** Options for {@link polar}. */
export interface PolarOptions {
  /**
   * The webhook's secret as Polar shows it, or several during a rotation (each
   * may carry its window, `{ key, notBefore, notAfter }`), or a resolver
   * (`keyResolver`, or a plain function) that looks the tenant's secrets up.
   */
  secret: Keys<string>
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
  const secrets = mapKeys(options.secret, 'polar', 'secret', (secret, label) =>
    base64Encode(encoder.encode(nonEmptyString(secret, 'polar', label))),
  )
  const tolerance = options.toleranceSeconds === undefined ? {} : { toleranceSeconds: options.toleranceSeconds }
  return { ...standardWebhooksAs({ secret: secrets, ...tolerance }, 'polar'), name: 'polar' }
}
