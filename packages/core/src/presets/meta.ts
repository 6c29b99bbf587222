import { WebhookError } from '../errors.js'
import { safeEqualSecret } from '../verify/constant-time.js'
import { hmacSignature } from '../verify/hmac-signature.js'
import { type KeyEntry, type Keys, lookupOf } from '../verify/key-resolver.js'
import { nonEmptyString, oneOrMore, requireOptions } from '../verify/option-checks.js'
import type { Handshake, Verifier, VerifyContext } from '../verify/verifier.js'
import { withBodyDigestId } from './body-digest-id.js'
import { checkedChallenge, plainTextReply, queryValue } from './handshake-parts.js'

/** Options for {@link meta}. */
export interface MetaOptions {
  /** The app secret (App settings → Basic → App secret), or several during a rotation. */
  appSecret: Keys<string>
  /** The verify token you typed in the webhook's settings (Webhooks → Edit subscription → Verify token). */
  verifyToken: string
}

/**
 * Verifies Meta webhooks (Facebook, Instagram, WhatsApp, Messenger): events
 * are POSTs with `X-Hub-Signature-256: sha256=<hex>`, an HMAC-SHA256 of the
 * raw body with the app secret. Meta sends no event id and signs no
 * timestamp: the id is `body-sha256:` and the base64 SHA-256 of the body, so
 * a retry of the same notification is a duplicate. The type is the payload's
 * `object` (`page`, `instagram`, `whatsapp_business_account`).
 *
 * It answers Meta's verification request itself, never enqueued: `GET
 * ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…` gets 200
 * `text/plain` with the challenge when the verify token matches (compared in
 * constant time), else 403 `invalid_verify_token`; a missing, repeated or
 * odd challenge is 400 `invalid_challenge`. `GET` is admitted for it alone
 * (a GET without `hub.mode` is 405): no `methods` option is needed.
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [meta({ appSecret: process.env.META_APP_SECRET!, verifyToken: process.env.META_VERIFY_TOKEN! })],
 *   enqueue: async (event) => queue.add(event.type ?? 'meta', event),
 * })
 * ```
 */
export function meta(options: MetaOptions): Verifier {
  requireOptions(options, 'meta')
  const secrets = lookupOf(options.appSecret) ?? oneOrMore(options.appSecret as KeyEntry<string>, 'meta', 'appSecret')
  if (Array.isArray(secrets))
    for (const [i, secret] of secrets.entries())
      nonEmptyString(typeof secret === 'object' ? secret.key : secret, 'meta', `appSecret[${i}]`)
  const verifyToken = nonEmptyString(options.verifyToken, 'meta', 'verifyToken')
  const verifier = hmacSignature({
    name: 'meta',
    secret: secrets,
    header: 'x-hub-signature-256',
    algorithm: 'sha256',
    encoding: 'hex',
    prefix: 'sha256=',
    eventType: { payload: 'object' },
  })
  return {
    ...withBodyDigestId(verifier),
    handshakes: [subscribeChallenge(verifyToken)],
  }
}

/** Meta's challenges are digits; a little room for letters, nothing a browser could render as markup. */
const challengeCharacters = /^[A-Za-z0-9_-]+$/

function subscribeChallenge(verifyToken: string): Handshake {
  return {
    methods: ['GET'],
    signed: false,
    // Only a GET that asks: any other GET is 405, as for any guard that takes POST.
    mayBe: (request) => new URLSearchParams(request.query).has('hub.mode'),
    answer(ctx: VerifyContext) {
      const query = ctx.query ?? ''
      if (queryValue(query, 'hub.mode') !== 'subscribe') {
        throw new WebhookError('invalid_challenge', 'a GET without hub.mode=subscribe')
      }
      const token = queryValue(query, 'hub.verify_token')
      if (token === undefined || !safeEqualSecret(token, verifyToken)) {
        throw new WebhookError('invalid_verify_token', 'hub.verify_token is missing or differs from verifyToken')
      }
      return plainTextReply(checkedChallenge(queryValue(query, 'hub.challenge'), 'hub.challenge', challengeCharacters))
    },
  }
}
