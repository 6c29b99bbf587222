import { hmacSignature } from '../verify/hmac-signature.js'
import { type KeyEntry, type Keys, lookupOf } from '../verify/key-resolver.js'
import { nonEmptyString, oneOrMore, requireOptions } from '../verify/option-checks.js'
import type { Handshake, Verifier, VerifyContext } from '../verify/verifier.js'
import { withBodyDigestId } from './body-digest-id.js'
import { checkedChallenge, plainTextReply, queryValue } from './handshake-parts.js'

/** Options for {@link dropbox}. */
export interface DropboxOptions {
  /** The app secret (App Console → Settings → App secret), or several during a rotation. */
  appSecret: Keys<string>
}

/**
 * Verifies Dropbox webhook notifications: `X-Dropbox-Signature`, the hex
 * HMAC-SHA256 of the raw body with the app secret. Dropbox sends no event id:
 * the id is `body-sha256:` and the base64 SHA-256 of the body.
 *
 * It answers Dropbox's verification request, never enqueued: `GET
 * ?challenge=…` gets 200 `text/plain` with the challenge and
 * `X-Content-Type-Options: nosniff`, only for a challenge of letters, digits,
 * `_`, `-`, `.` and `~`, up to 256 characters (else 400 `invalid_challenge`).
 * `GET` is admitted for it alone (a GET without `challenge` is 405).
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [dropbox({ appSecret: process.env.DROPBOX_APP_SECRET! })],
 *   enqueue: async (event) => queue.add('dropbox', event),
 * })
 * ```
 */
export function dropbox(options: DropboxOptions): Verifier {
  requireOptions(options, 'dropbox')
  const secrets =
    lookupOf(options.appSecret) ?? oneOrMore(options.appSecret as KeyEntry<string>, 'dropbox', 'appSecret')
  if (Array.isArray(secrets))
    for (const [i, secret] of secrets.entries())
      nonEmptyString(typeof secret === 'object' ? secret.key : secret, 'dropbox', `appSecret[${i}]`)
  const verifier = hmacSignature({
    name: 'dropbox',
    secret: secrets,
    header: 'x-dropbox-signature',
    algorithm: 'sha256',
    encoding: 'hex',
  })
  return { ...withBodyDigestId(verifier), handshakes: [challenge] }
}

const challengeCharacters = /^[A-Za-z0-9_.~-]+$/

const challenge: Handshake = {
  methods: ['GET'],
  signed: false,
  mayBe: (request) => new URLSearchParams(request.query).has('challenge'),
  answer: (ctx: VerifyContext) =>
    plainTextReply(checkedChallenge(queryValue(ctx.query ?? '', 'challenge'), 'challenge', challengeCharacters)),
}
