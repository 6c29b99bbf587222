import { sha256 } from '#crypto'
import { hmacSignature } from '../verify/hmac-signature.js'
import type { Keys } from '../verify/key-resolver.js'
import { requireOptions } from '../verify/option-checks.js'
import type { Verifier, VerifyContext, VerifyResult } from '../verify/verifier.js'

/** Options for {@link lemonSqueezy}. */
export interface LemonSqueezyOptions {
  /** The webhook's signing secret, or several during a rotation. */
  secret: Keys<string>
}

function hex(bytes: Uint8Array): string {
  let text = ''
  for (const byte of bytes) text += byte.toString(16).padStart(2, '0')
  return text
}

/**
 * Verifies Lemon Squeezy webhooks: `X-Signature`, the hex HMAC-SHA256 of the
 * raw body. Lemon Squeezy signs no timestamp and sends no event id, so the
 * event id is the SHA-256 of the body (hex): a retry sends the same body, and
 * is a duplicate (two deliveries with byte-identical bodies count as one). The
 * type is the payload's `meta.event_name` (signed; `X-Event-Name` repeats it
 * unsigned).
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [lemonSqueezy({ secret: process.env.LEMON_SQUEEZY_WEBHOOK_SECRET! })],
 *   enqueue: async (event) => queue.add(event.type ?? 'lemon-squeezy', event),
 * })
 * ```
 */
export function lemonSqueezy(options: LemonSqueezyOptions): Verifier {
  requireOptions(options, 'lemonSqueezy')
  const signature = hmacSignature({
    name: 'lemon-squeezy',
    secret: options.secret,
    header: 'x-signature',
    algorithm: 'sha256',
    encoding: 'hex',
    eventType: { payload: 'meta.event_name' },
    keepHeaders: ['x-event-name'],
  })
  return {
    ...signature,
    async verify(ctx: VerifyContext): Promise<VerifyResult> {
      const result = await signature.verify(ctx)
      return { ...result, id: hex(await sha256(ctx.body)) }
    },
  }
}
