import { sha256 } from '#crypto'
import { asymmetricSignature } from '../verify/asymmetric-signature.js'
import type { Keys } from '../verify/key-resolver.js'
import { mapKeys } from '../verify/map-keys.js'
import { nonEmptyString, requireOptions } from '../verify/option-checks.js'
import type { Verifier, VerifyContext, VerifyResult } from '../verify/verifier.js'

/** Options for {@link sendgrid}. */
export interface SendgridOptions {
  /**
   * The Event Webhook's verification key as SendGrid shows it (base64 of the
   * DER public key) or as PEM, or several during a rotation (at most 4; each
   * may carry its window, `{ key, notBefore, notAfter }`), or a resolver
   * (`keyResolver`, or a plain function) that looks the tenant's keys up.
   */
  publicKey: Keys<string>
  /** Allowed clock difference in seconds, both directions. Default: the guard's (300). */
  toleranceSeconds?: number
}

/** SendGrid's key, bare base64 of the SPKI, in PEM armor; a PEM key as it is. */
function pem(key: string): string {
  const trimmed = key.trim()
  if (trimmed.startsWith('-----BEGIN')) return trimmed
  return `-----BEGIN PUBLIC KEY-----\n${trimmed}\n-----END PUBLIC KEY-----`
}

function hex(bytes: Uint8Array): string {
  let out = ''
  for (const b of bytes) out += b.toString(16).padStart(2, '0')
  return out
}

/**
 * Verifies SendGrid's signed Event Webhook: `X-Twilio-Email-Event-Webhook-Signature`,
 * the base64 DER ECDSA P-256 (SHA-256) signature of the
 * `X-Twilio-Email-Event-Webhook-Timestamp` header followed by the raw body,
 * with the timestamp in the guard's window. A delivery is a batch of events
 * with no batch id: the id is the body's SHA-256 (a retry is the same body);
 * each event's `sg_event_id` is in the payload. No type (the batch mixes them).
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [sendgrid({ publicKey: process.env.SENDGRID_WEBHOOK_PUBLIC_KEY! })],
 *   enqueue: async (event) => queue.add('sendgrid', event),
 * })
 * ```
 */
export function sendgrid(options: SendgridOptions): Verifier {
  requireOptions(options, 'sendgrid')
  const keys = mapKeys(options.publicKey, 'sendgrid', 'publicKey', (key, label) =>
    pem(nonEmptyString(key, 'sendgrid', label)),
  )
  const signature = asymmetricSignature({
    name: 'sendgrid',
    publicKey: keys,
    algorithm: 'ecdsa-p256-sha256',
    header: 'x-twilio-email-event-webhook-signature',
    encoding: 'base64',
    signatureFormat: 'der',
    timestamp: { header: 'x-twilio-email-event-webhook-timestamp' },
    signedContent: '{timestamp}{body}',
    ...(options.toleranceSeconds === undefined ? {} : { toleranceSeconds: options.toleranceSeconds }),
  })
  return {
    ...signature,
    async verify(ctx: VerifyContext): Promise<VerifyResult> {
      const result = await signature.verify(ctx)
      return { ...result, id: hex(await sha256(ctx.body)) }
    },
  }
}
