import { WebhookError } from '../errors.js'
import { hmacSignature } from '../verify/hmac-signature.js'
import type { Keys } from '../verify/key-resolver.js'
import { positiveNumber, requireOptions } from '../verify/option-checks.js'
import { checkTimestamp } from '../verify/timestamp.js'
import type { Verifier, VerifyContext, VerifyResult } from '../verify/verifier.js'

/** Options for {@link linear}. */
export interface LinearOptions {
  /** The webhook's signing secret, or several during a rotation. */
  secret: Keys<string>
  /** Allowed clock difference for the payload's `webhookTimestamp`, in seconds, both directions. Default 60, as Linear's SDK. */
  toleranceSeconds?: number
}

const decoder = new TextDecoder()

/** The payload's `webhookTimestamp` (Unix milliseconds), checked against the window; Unix seconds. */
function signedTimestamp(body: Uint8Array, nowMs: number, toleranceSeconds: number): number {
  let milliseconds: unknown
  try {
    milliseconds = (JSON.parse(decoder.decode(body)) as { webhookTimestamp?: unknown } | null)?.webhookTimestamp
  } catch {
    throw new WebhookError('invalid_timestamp', 'the body is not JSON, so it has no webhookTimestamp')
  }
  if (typeof milliseconds !== 'number' || !Number.isSafeInteger(milliseconds) || milliseconds < 0) {
    throw new WebhookError('invalid_timestamp', 'the payload has no webhookTimestamp in Unix milliseconds')
  }
  return checkTimestamp(String(Math.floor(milliseconds / 1000)), nowMs, toleranceSeconds)
}

/**
 * Verifies Linear webhooks: `Linear-Signature`, the hex HMAC-SHA256 of the
 * raw body, and the payload's `webhookTimestamp` (Unix ms, signed with the
 * body) within 60 s of now, as Linear's SDK checks it. The `Linear-Timestamp`
 * header, which the SDK prefers, is not signed, so it is not what the window
 * reads. The event id is `Linear-Delivery` (not signed; the digest is claimed
 * beside it), the type the payload's `type` (signed; `Linear-Event` repeats it).
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [linear({ secret: process.env.LINEAR_WEBHOOK_SECRET! })],
 *   enqueue: async (event) => queue.add(event.type ?? 'linear', event),
 * })
 * ```
 */
export function linear(options: LinearOptions): Verifier {
  requireOptions(options, 'linear')
  const tolerance = positiveNumber(options.toleranceSeconds ?? 60, 'linear', 'toleranceSeconds')
  const signature = hmacSignature({
    name: 'linear',
    secret: options.secret,
    header: 'linear-signature',
    algorithm: 'sha256',
    encoding: 'hex',
    eventId: { header: 'linear-delivery' },
    eventType: { payload: 'type' },
    keepHeaders: ['linear-delivery', 'linear-event', 'linear-timestamp'],
  })
  return {
    ...signature,
    async verify(ctx: VerifyContext): Promise<VerifyResult> {
      const result = await signature.verify(ctx)
      return { ...result, timestamp: signedTimestamp(ctx.body, ctx.nowMs, tolerance) }
    },
  }
}
