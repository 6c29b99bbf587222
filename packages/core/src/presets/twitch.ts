import { WebhookError } from '../errors.js'
import { singleHeader } from '../lib/headers.js'
import { andThen } from '../lib/maybe-promise.js'
import { hmacSignature } from '../verify/hmac-signature.js'
import type { Keys } from '../verify/key-resolver.js'
import { positiveNumber, requireOptions } from '../verify/option-checks.js'
import { checkTimestamp } from '../verify/timestamp.js'
import type { Handshake, Verifier, VerifyContext, VerifyResult } from '../verify/verifier.js'
import { checkedChallenge, plainTextReply } from './handshake-parts.js'

/** Options for {@link twitch}. */
export interface TwitchOptions {
  /**
   * The `secret` you passed when creating the subscription (10 to 100 ASCII
   * characters), or several during a rotation, or a resolver that looks the
   * request's tenant's secrets up.
   */
  secret: Keys<string>
  /** Allowed clock difference in seconds, both directions. Default 600 (Twitch's ten minutes). */
  toleranceSeconds?: number
}

const messageId = 'twitch-eventsub-message-id'
const messageTimestamp = 'twitch-eventsub-message-timestamp'
const messageType = 'twitch-eventsub-message-type'

/**
 * Verifies Twitch EventSub webhooks: `Twitch-Eventsub-Message-Signature:
 * sha256=<hex>`, an HMAC-SHA256 of `Twitch-Eventsub-Message-Id` +
 * `Twitch-Eventsub-Message-Timestamp` + the raw body with the subscription's
 * secret. The timestamp (RFC 3339, nanoseconds) must lie within ten minutes.
 * The id is the signed message id (Twitch resends a message with the same
 * id). The type is the payload's `subscription.type` (signed; the same value
 * as the unsigned `Twitch-Eventsub-Subscription-Type`), and `revocation` for
 * a revocation message (`Twitch-Eventsub-Message-Type: revocation`), which is
 * enqueued like any event so you can recreate the subscription.
 *
 * It answers the `webhook_callback_verification` message, never enqueued:
 * signed like every message (a bad signature is 401), answered 200
 * `text/plain` with the payload's `challenge` (`X-Content-Type-Options:
 * nosniff`); a challenge missing, over 256 characters or outside
 * `[A-Za-z0-9_.~+/=-]` is 400 `invalid_challenge`.
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [twitch({ secret: process.env.TWITCH_EVENTSUB_SECRET! })],
 *   enqueue: async (event) => queue.add(event.type ?? 'twitch', event),
 * })
 * ```
 */
export function twitch(options: TwitchOptions): Verifier {
  requireOptions(options, 'twitch')
  const tolerance = positiveNumber(options.toleranceSeconds ?? 600, 'twitch', 'toleranceSeconds')
  const verifier = hmacSignature({
    name: 'twitch',
    secret: options.secret,
    header: 'twitch-eventsub-message-signature',
    algorithm: 'sha256',
    encoding: 'hex',
    prefix: 'sha256=',
    signedContent: `{header:${messageId}}{header:${messageTimestamp}}{body}`,
    eventId: { header: messageId },
    eventType: (ctx) =>
      singleHeader(ctx.headers, messageType) === 'revocation' ? 'revocation' : subscriptionType(ctx.payload),
    keepHeaders: [
      messageId,
      messageTimestamp,
      messageType,
      'twitch-eventsub-subscription-type',
      'twitch-eventsub-message-retry',
    ],
  })
  return {
    ...verifier,
    // The id and the timestamp are signed: the window and the id's dedupe stop a replay, no digest key is needed.
    verify: (ctx: VerifyContext) =>
      andThen(
        verifier.verify(ctx),
        (): VerifyResult => ({
          timestamp: checkRfc3339(singleHeader(ctx.headers, messageTimestamp), ctx.nowMs, tolerance),
        }),
      ),
    handshakes: [callbackVerification],
  }
}

/** Twitch's challenges are random strings of a few dozen characters; this allows token alphabets and no more. */
const challengeCharacters = /^[A-Za-z0-9_.~+/=-]+$/
const decoder = new TextDecoder()

const callbackVerification: Handshake = {
  signed: true,
  mayBe: (request) => singleHeader(request.headers, messageType) === 'webhook_callback_verification',
  answer(ctx: VerifyContext) {
    const payload = parseObject(decoder.decode(ctx.body))
    return plainTextReply(checkedChallenge(payload?.challenge, 'challenge', challengeCharacters))
  },
}

function subscriptionType(payload: unknown): string | undefined {
  const subscription = isRecord(payload) ? payload.subscription : undefined
  const type = isRecord(subscription) ? subscription.type : undefined
  return typeof type === 'string' ? type : undefined
}

/** RFC 3339 as Twitch writes it: `2023-07-19T14:56:51.634234626Z`, an offset allowed instead of `Z`. */
const rfc3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i

/** The timestamp's Unix seconds, once it parsed and lies within `toleranceSeconds` of now. */
export function checkRfc3339(text: string | undefined, nowMs: number, toleranceSeconds: number): number {
  const match = text === undefined ? null : rfc3339.exec(text)
  const ms = match ? Date.parse(`${match[1]}${(match[3] as string).toUpperCase()}`) : Number.NaN
  if (!Number.isFinite(ms)) throw new WebhookError('invalid_timestamp', `${messageTimestamp} is not an RFC 3339 time`)
  // Whole seconds, as the other schemes: the fraction never moves a timestamp across the window's edge.
  return checkTimestamp(String(Math.floor(ms / 1000)), nowMs, toleranceSeconds)
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text)
    return isRecord(value) ? value : undefined
  } catch {
    return undefined
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
