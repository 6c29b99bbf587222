import { WebhookError } from '../errors.js'
import { safeEqual } from '../verify/constant-time.js'
import { hmacKeys } from '../verify/hmac-signature.js'
import type { Keys } from '../verify/key-resolver.js'
import { positiveNumber, requireOptions } from '../verify/option-checks.js'
import { checkTimestamp } from '../verify/timestamp.js'
import type { Verifier, VerifyContext, VerifyResult } from '../verify/verifier.js'

/** Options for {@link mailgun}. */
export interface MailgunOptions {
  /**
   * The HTTP webhook signing key from Mailgun's control panel, or several
   * during a rotation (or a primary account's, for `parent-signature`), or a
   * resolver that looks the request's tenant's keys up.
   */
  signingKey: Keys<string>
  /** Allowed clock difference in seconds, both directions. Default: the guard's (300). */
  toleranceSeconds?: number
}

const decoder = new TextDecoder('utf-8', { fatal: true })

/** Mailgun's `signature` object, as the JSON body carries it. */
interface MailgunSignature {
  timestamp: string
  token: string
  digests: string[]
}

/** The `signature` object of the JSON body: `timestamp`, `token`, `signature` (and `parent-signature` for a subaccount). */
function signatureOf(body: Uint8Array): MailgunSignature {
  let payload: unknown
  try {
    payload = JSON.parse(decoder.decode(body))
  } catch {
    throw new WebhookError('missing_signature', 'the body is not JSON, so it carries no Mailgun signature object')
  }
  const signature = (payload as { signature?: unknown } | null)?.signature as Record<string, unknown> | undefined
  if (!signature || typeof signature !== 'object') {
    throw new WebhookError('missing_signature', 'the body has no signature object')
  }
  const { timestamp, token } = signature
  const timestampText = typeof timestamp === 'number' ? String(timestamp) : timestamp
  if (typeof timestampText !== 'string') throw new WebhookError('invalid_timestamp', 'signature.timestamp is missing')
  if (typeof token !== 'string' || token.length === 0 || token.length > 256) {
    throw new WebhookError('invalid_signature', 'signature.token is missing or malformed')
  }
  const digests = [signature.signature, signature['parent-signature']].filter(
    (digest): digest is string => typeof digest === 'string',
  )
  if (digests.length === 0) throw new WebhookError('missing_signature', 'signature.signature is missing')
  return { timestamp: timestampText, token, digests }
}

/**
 * Verifies Mailgun webhooks: the JSON body's `signature` object, whose
 * `signature` is the hex HMAC-SHA256, keyed with the webhook signing key, of
 * `timestamp` followed by `token` (a subaccount's event also carries
 * `parent-signature`, made with the primary account's key: either passes).
 * The timestamp (Unix seconds) must be within the tolerance.
 *
 * What Mailgun signs is only the timestamp and the token, not the event:
 * `event-data` (and so the id, `event-data.id`, and the type,
 * `event-data.event`) is not covered by the signature. Within the window,
 * the signature of a captured delivery can be sent again over another
 * `event-data`; the token is the replay key, claimed beside the event id, so
 * a token is accepted once: keep dedupe on (it is by default) and the
 * endpoint on HTTPS. Mailgun's legacy form-encoded webhooks are not
 * supported.
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [mailgun({ signingKey: process.env.MAILGUN_WEBHOOK_SIGNING_KEY! })],
 *   enqueue: async (event) => queue.add(event.type ?? 'mailgun', event),
 * })
 * ```
 */
export function mailgun(options: MailgunOptions): Verifier {
  requireOptions(options, 'mailgun')
  const signingKeys = hmacKeys(options.signingKey, 'sha256', 'mailgun', 'signingKey')
  const tolerance =
    options.toleranceSeconds === undefined
      ? undefined
      : positiveNumber(options.toleranceSeconds, 'mailgun', 'toleranceSeconds')
  return {
    name: 'mailgun',
    // Only the timestamp and token are signed: nothing of the body the event is read from.
    signs: { body: false, headers: [] },
    eventId: { payload: 'event-data.id' },
    eventType: { payload: 'event-data.event' },
    async verify(ctx: VerifyContext): Promise<VerifyResult> {
      const { timestamp, token, digests } = signatureOf(ctx.body)
      const seconds = checkTimestamp(timestamp, ctx.nowMs, tolerance ?? ctx.toleranceSeconds)
      return await signingKeys.use(ctx, async (keys) => {
        for (const key of keys) {
          const expected = await key.digest([timestamp, token], 'hex')
          for (const digest of digests) {
            if (safeEqual(digest, expected)) return { timestamp: seconds, replayKey: { key: `token:${token}` } }
          }
        }
        throw new WebhookError('invalid_signature', `signature matched none of ${keys.length} signing key(s)`)
      })
    },
    invalidate: (tenant) => signingKeys.invalidate(tenant),
  }
}
