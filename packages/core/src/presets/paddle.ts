import { hmacSignature } from '../verify/hmac-signature.js'
import type { Keys } from '../verify/key-resolver.js'
import { requireOptions } from '../verify/option-checks.js'
import type { Verifier } from '../verify/verifier.js'

/** Options for {@link paddle}. */
export interface PaddleOptions {
  /** The notification destination's secret key (`pdl_ntfset_…`), or several during a rotation. */
  secret: Keys<string>
  /** Allowed clock difference in seconds, both directions. Default 5, as Paddle's SDK. */
  toleranceSeconds?: number
}

/**
 * Verifies Paddle Billing webhooks: `Paddle-Signature: ts=<unix>;h1=<hex>`,
 * the HMAC-SHA256 of `ts:body`, with a 5 s window as Paddle's SDK (which
 * checks only the past; this checks both directions). Any `h1` entry may
 * match. The event id and type are the payload's `event_id` and `event_type`
 * (signed).
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [paddle({ secret: process.env.PADDLE_WEBHOOK_SECRET! })],
 *   enqueue: async (event) => queue.add(event.type ?? 'paddle', event),
 * })
 * ```
 */
export function paddle(options: PaddleOptions): Verifier {
  requireOptions(options, 'paddle')
  return hmacSignature({
    name: 'paddle',
    secret: options.secret,
    header: 'paddle-signature',
    algorithm: 'sha256',
    encoding: 'hex',
    separator: ';',
    prefix: 'h1=',
    timestamp: { entry: 'ts=' },
    signedContent: '{timestamp}:{body}',
    toleranceSeconds: options.toleranceSeconds ?? 5,
    eventId: { payload: 'event_id' },
    eventType: { payload: 'event_type' },
  })
}
