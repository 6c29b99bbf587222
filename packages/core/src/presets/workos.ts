import { hmacSignature } from '../verify/hmac-signature.js'
import type { Keys } from '../verify/key-resolver.js'
import { requireOptions } from '../verify/option-checks.js'
import type { Verifier } from '../verify/verifier.js'

/** Options for {@link workos}. */
export interface WorkosOptions {
  /** The webhook endpoint's secret, or several during a rotation. */
  secret: Keys<string>
  /** Allowed clock difference in seconds, both directions. Default 180, as `@workos-inc/node`. */
  toleranceSeconds?: number
}

/**
 * Verifies WorkOS webhooks: `WorkOS-Signature: t=<unix ms>, v1=<hex>`, the
 * HMAC-SHA256 of `t.body` where `t` is in milliseconds, within 180 s as
 * WorkOS's SDK (which checks only the past; this checks both directions). The
 * event id and type are the payload's `id` and `event` (signed).
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [workos({ secret: process.env.WORKOS_WEBHOOK_SECRET! })],
 *   enqueue: async (event) => queue.add(event.type ?? 'workos', event),
 * })
 * ```
 */
export function workos(options: WorkosOptions): Verifier {
  requireOptions(options, 'workos')
  return hmacSignature({
    name: 'workos',
    secret: options.secret,
    header: 'workos-signature',
    algorithm: 'sha256',
    encoding: 'hex',
    separator: ',',
    prefix: 'v1=',
    timestamp: { entry: 't=', unit: 'ms' },
    signedContent: '{timestamp}.{body}',
    toleranceSeconds: options.toleranceSeconds ?? 180,
    eventId: { payload: 'id' },
    eventType: { payload: 'event' },
  })
}
