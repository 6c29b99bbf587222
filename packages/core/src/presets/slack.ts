import { WebhookError } from '../errors.js'
import { singleHeader } from '../lib/headers.js'
import { hmacSignature } from '../verify/hmac-signature.js'
import { type KeyEntry, type Keys, lookupOf } from '../verify/key-resolver.js'
import { nonEmptyString, oneOrMore, requireOptions } from '../verify/option-checks.js'
import type { Handshake, Verifier, VerifyContext } from '../verify/verifier.js'
import { checkedChallenge, jsonReply } from './handshake-parts.js'

/** Options for {@link slack}. */
export interface SlackOptions {
  /** The app's signing secret (Basic Information → App Credentials), or several during a rotation. */
  signingSecret: Keys<string>
  /** Allowed clock difference in seconds, both directions. Default 300 (Slack's five minutes). */
  toleranceSeconds?: number
}

/**
 * Verifies Slack requests: `X-Slack-Signature: v0=<hex>`, an HMAC-SHA256 of
 * `v0:<timestamp>:<body>`, with the timestamp in `X-Slack-Request-Timestamp`
 * and a five-minute window. The event id is the Events API's `event_id`; the
 * type is the inner `event.type`, else the payload's `type`.
 *
 * It answers Slack's two handshakes, which are never enqueued: the signed
 * `{"type":"url_verification","challenge":…}` with 200 JSON `{"challenge":…}`
 * (a bad signature is 401 as for any event), and the unsigned
 * `ssl_check=1` form POST of slash commands with 200 and an empty body (only
 * that exact form: anything else unsigned is 401 `missing_signature`).
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [slack({ signingSecret: process.env.SLACK_SIGNING_SECRET! })],
 *   enqueue: async (event) => queue.add('slack', event),
 * })
 * ```
 */
export function slack(options: SlackOptions): Verifier {
  requireOptions(options, 'slack')
  const secrets =
    lookupOf(options.signingSecret) ?? oneOrMore(options.signingSecret as KeyEntry<string>, 'slack', 'signingSecret')
  if (Array.isArray(secrets))
    for (const [i, secret] of secrets.entries())
      nonEmptyString(typeof secret === 'object' ? secret.key : secret, 'slack', `signingSecret[${i}]`)
  const verifier = hmacSignature({
    name: 'slack',
    secret: secrets,
    header: 'x-slack-signature',
    algorithm: 'sha256',
    encoding: 'hex',
    prefix: 'v0=',
    timestamp: { header: 'x-slack-request-timestamp' },
    signedContent: 'v0:{timestamp}:{body}',
    toleranceSeconds: options.toleranceSeconds ?? 300,
    eventId: { payload: 'event_id' },
    eventType: { payload: 'event.type' },
    keepHeaders: ['x-slack-request-timestamp', 'x-slack-retry-num', 'x-slack-retry-reason'],
  })
  return { ...verifier, handshakes: [sslCheck, urlVerification] }
}

const formType = 'application/x-www-form-urlencoded'
/** Slack's challenges are a few dozen letters and digits; this allows its token alphabets and no more. */
const challengeCharacters = /^[A-Za-z0-9._~+/=-]+$/
const decoder = new TextDecoder()

/** The Events API's URL check: signed like every event, answered once its signature passed. */
const urlVerification: Handshake = {
  signed: true,
  mayBe: (request) => singleHeader(request.headers, 'x-slack-signature') !== undefined,
  answer(ctx: VerifyContext) {
    const text = decoder.decode(ctx.body)
    if (!text.includes('url_verification')) return undefined
    let payload: unknown
    try {
      payload = JSON.parse(text)
    } catch {
      return undefined
    }
    if (!isRecord(payload) || payload.type !== 'url_verification') return undefined
    return jsonReply({ challenge: checkedChallenge(payload.challenge, 'challenge', challengeCharacters) })
  },
}

/** The slash commands' certificate check: `ssl_check=1` (and the legacy `token`), unsigned. */
const sslCheck: Handshake = {
  signed: false,
  mayBe: (request) =>
    singleHeader(request.headers, 'x-slack-signature') === undefined &&
    singleHeader(request.headers, 'content-type')?.split(';')[0]?.trim().toLowerCase() === formType,
  answer(ctx: VerifyContext) {
    const form = ctx.body.byteLength <= 1024 ? new URLSearchParams(decoder.decode(ctx.body)) : undefined
    const exact =
      form !== undefined &&
      form.getAll('ssl_check').join() === '1' &&
      form.getAll('token').length <= 1 &&
      [...form.keys()].every((name) => name === 'ssl_check' || name === 'token')
    if (!exact) {
      throw new WebhookError('missing_signature', 'an unsigned form POST that is not an exact ssl_check=1 check')
    }
    return { contentType: 'text/plain; charset=utf-8', body: '' }
  },
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
