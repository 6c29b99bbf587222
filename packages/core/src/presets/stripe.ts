import { hmacSignature } from '../verify/hmac-signature.js'
import type { Keys } from '../verify/key-resolver.js'
import { requireOptions } from '../verify/option-checks.js'
import type { Verifier } from '../verify/verifier.js'

/** Options for {@link stripe}. */
export interface StripeOptions {
  /** The endpoint's signing secret (`whsec_…`), or several during a rotation. */
  secret: Keys<string>
  /** Allowed clock difference in seconds, both directions. Default 300, as Stripe's own library. */
  toleranceSeconds?: number
}

/**
 * Verifies Stripe webhooks: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=…]`, an
 * HMAC-SHA256 of `t.body` with the `whsec_` secret as UTF-8. Any `v1` entry
 * may match (Stripe sends several while a secret rolls); `v0` entries are
 * ignored. The event id and type come from the payload's `id` and `type`.
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [stripe({ secret: process.env.STRIPE_WEBHOOK_SECRET! })],
 *   enqueue: async (event) => queue.add(event.type ?? 'stripe', event),
 * })
 * ```
 */
export function stripe(options: StripeOptions): Verifier {
  requireOptions(options, 'stripe')
  return hmacSignature({
    name: 'stripe',
    secret: options.secret,
    header: 'stripe-signature',
    algorithm: 'sha256',
    encoding: 'hex',
    separator: ',',
    prefix: 'v1=',
    timestamp: { entry: 't=' },
    signedContent: '{timestamp}.{body}',
    toleranceSeconds: options.toleranceSeconds ?? 300,
    eventId: { payload: 'id' },
    eventType: { payload: 'type' },
  })
}
