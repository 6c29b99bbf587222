import { hmacSignature } from '../verify/hmac-signature.js'
import type { Keys } from '../verify/key-resolver.js'
import { requireOptions } from '../verify/option-checks.js'
import type { Verifier } from '../verify/verifier.js'

/** Options for {@link vercel}. */
export interface VercelOptions {
  /** The webhook's secret (an account webhook's, or the integration's client secret), or several during a rotation. */
  secret: Keys<string>
}

/**
 * Verifies Vercel webhooks: `x-vercel-signature`, the hex HMAC-SHA1 of the
 * raw body. Vercel signs no timestamp: the signature digest is claimed beside
 * the event id, so a captured delivery re-sent is still a duplicate (two
 * deliveries with byte-identical bodies count as one). The event id and type
 * are the payload's `id` and `type` (signed).
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [vercel({ secret: process.env.VERCEL_WEBHOOK_SECRET! })],
 *   enqueue: async (event) => queue.add(event.type ?? 'vercel', event),
 * })
 * ```
 */
export function vercel(options: VercelOptions): Verifier {
  requireOptions(options, 'vercel')
  return hmacSignature({
    name: 'vercel',
    secret: options.secret,
    header: 'x-vercel-signature',
    algorithm: 'sha1',
    encoding: 'hex',
    eventId: { payload: 'id' },
    eventType: { payload: 'type' },
  })
}
