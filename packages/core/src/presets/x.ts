import { WebhookError } from '../errors.js'
import { andThen } from '../lib/maybe-promise.js'
import { tokenBuckets } from '../lib/token-buckets.js'
import type { HmacKey } from '../verify/crypto/port.js'
import { hmacKeys, hmacSignatureWith } from '../verify/hmac-signature.js'
import type { Keys } from '../verify/key-resolver.js'
import { positiveInteger, requireOptions } from '../verify/option-checks.js'
import type { Handshake, Verifier, VerifyContext } from '../verify/verifier.js'
import { withBodyDigestId } from './body-digest-id.js'
import { checkedChallenge, jsonReply, queryValue } from './handshake-parts.js'

/** Options for {@link x}. */
export interface XOptions {
  /**
   * The app's Consumer Secret (API Key Secret, Keys and tokens page), or
   * several during a rotation (the first valid now answers the CRC), or a
   * resolver that looks the request's tenant's secrets up (the tenant's first
   * answers its CRC).
   */
  consumerSecret: Keys<string>
  /**
   * CRC answers allowed per minute, also the burst, per tenant (one count
   * when the guard names none): each answer is an HMAC with your secret of a
   * value the caller chose. Default 10 (X sends one an hour, and one when you
   * ask); past it a CRC is 429 `handshake_rate_limited` with `Retry-After`.
   */
  crcPerMinute?: number
}

/**
 * Verifies X (Twitter) Account Activity webhooks: events are POSTs with
 * `x-twitter-webhooks-signature: sha256=<base64>`, an HMAC-SHA256 of the raw
 * body with the consumer secret. X signs no timestamp and sends no event id:
 * the id is `body-sha256:` and the base64 SHA-256 of the body, and the
 * signature digest is a replay key. The type is the payload's first
 * `…_events` key (`tweet_create_events`, `favorite_events`, …).
 *
 * It answers X's Challenge-Response Check, never enqueued: `GET
 * ?crc_token=…` gets 200 JSON `{ "response_token": "sha256=<base64 HMAC-SHA256
 * of the token>" }`. The answer signs what the caller sent, so only a token
 * of 8 to 128 characters from `[A-Za-z0-9_=+/-]` (X sends a UUID) is
 * answered (else 400 `invalid_challenge`), and at most `crcPerMinute` answers
 * a minute (else 429 `handshake_rate_limited`). `GET` is admitted for it
 * alone (a GET without `crc_token` is 405). With a resolver, the CRC is
 * answered with the requesting tenant's secret; a tenant the resolver does
 * not know gets no answer (401 `invalid_signature`, after the same work).
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [x({ consumerSecret: process.env.X_CONSUMER_SECRET! })],
 *   enqueue: async (event) => queue.add(event.type ?? 'x', event),
 * })
 * ```
 */
export function x(options: XOptions): Verifier {
  requireOptions(options, 'x')
  const secrets = hmacKeys(options.consumerSecret, 'sha256', 'x', 'consumerSecret')
  const perMinute = positiveInteger(options.crcPerMinute ?? 10, 'x', 'crcPerMinute')
  const verifier = hmacSignatureWith(secrets, {
    name: 'x',
    header: 'x-twitter-webhooks-signature',
    encoding: 'base64',
    prefix: 'sha256=',
    eventType: (ctx) => activityType(ctx.payload),
  })
  const buckets = tokenBuckets(perMinute)
  const crc: Handshake = {
    methods: ['GET'],
    signed: false,
    mayBe: (request) => new URLSearchParams(request.query).has('crc_token'),
    answer(ctx: VerifyContext) {
      const token = checkedChallenge(queryValue(ctx.query ?? '', 'crc_token'), 'crc_token', tokenCharacters, 128)
      if (token.length < 8) throw new WebhookError('invalid_challenge', 'crc_token is shorter than 8 characters')
      if (!buckets.take(ctx.tenant ?? '', ctx.nowMs)) {
        throw new WebhookError('handshake_rate_limited', `more than ${perMinute} CRC answers a minute`)
      }
      // The tenant's first secret; an unknown tenant's answer is made with a decoy, then refused.
      return secrets.use(ctx, (keys) =>
        andThen((keys[0] as HmacKey).digest([token], 'base64'), (digest) =>
          jsonReply({ response_token: `sha256=${digest}` }),
        ),
      )
    },
  }
  return { ...withBodyDigestId(verifier), handshakes: [crc] }
}

/** X sends a UUID; a little room for base64 tokens, nothing else. */
const tokenCharacters = /^[A-Za-z0-9_=+/-]+$/

/** The Account Activity payload's first `…_events` key. */
function activityType(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined
  return Object.keys(payload).find((name) => name.endsWith('_events'))
}
