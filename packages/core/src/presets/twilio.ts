import { carries } from '../admit/credential-check.js'
import { WebhookError } from '../errors.js'
import { hmacKeys, hmacSignatureWith } from '../verify/hmac-signature.js'
import type { Keys } from '../verify/key-resolver.js'
import { requireOptions } from '../verify/option-checks.js'
import { publicBaseUrl } from '../verify/request-url.js'
import type { Verifier, VerifyContext, VerifyResult } from '../verify/verifier.js'

/** Options for {@link twilio}. */
export interface TwilioOptions {
  /**
   * The account's Auth Token (the key Twilio signs with), or several during a
   * rotation, or a resolver that looks the request's tenant's tokens up (once
   * per request, whichever URL form matches).
   */
  authToken: Keys<string>
  /**
   * The public base URL Twilio calls, e.g. `https://example.com`, as it is
   * written in the webhook URL you gave Twilio: joined with the request's
   * path and raw query, it must give that URL exactly. Without it, the
   * origin comes from the `X-Forwarded-Proto`/`-Host` (or `Forwarded`)
   * headers of a proxy in the guard's `trustProxy`, and `createGuard` refuses
   * to start without `trustProxy`.
   */
  publicUrl?: string
}

const idHeader = 'i-twilio-idempotency-token'

/** The base URL with and without its scheme's default port: Twilio's own library accepts either. */
function portForms(base: string): string[] {
  const match = /^(https?):\/\/(\[[^\]]*\]|[^/:]+)(:\d+)?(.*)$/i.exec(base)
  if (!match) return [base]
  const [, scheme, host, port, rest] = match as unknown as [string, string, string, string | undefined, string]
  const standard = scheme.toLowerCase() === 'https' ? ':443' : ':80'
  if (port === undefined) return [base, `${scheme}://${host}${standard}${rest}`]
  return port === standard ? [base, `${scheme}://${host}${rest}`] : [base]
}

/** The first verifier that passes; when none does, the first one's refusal. */
async function firstPassing(verifiers: readonly Verifier[], ctx: VerifyContext): Promise<VerifyResult> {
  let refusal: unknown
  for (const verifier of verifiers) {
    try {
      return await verifier.verify(ctx)
    } catch (error) {
      if (!(error instanceof WebhookError) || error.code !== 'invalid_signature') throw error
      refusal ??= error
    }
  }
  throw refusal
}

/**
 * Verifies Twilio webhooks (status callbacks, incoming messages and calls):
 * `X-Twilio-Signature`, the base64 HMAC-SHA1, keyed with the Auth Token, of
 * the full URL Twilio requested followed, for a form-encoded body, by every
 * POST parameter's name and value, sorted by name. A JSON body is signed
 * through the `bodySHA256` query parameter (the hex SHA-256 of the body),
 * which the signed URL carries. The URL is accepted with or without the
 * scheme's default port, as Twilio's own `validateRequest` does.
 *
 * Twilio signs no timestamp: a captured delivery stays valid forever, so the
 * signature digest is claimed beside the event id, and a re-sent delivery is
 * a duplicate for the dedupe TTL. The id is `I-Twilio-Idempotency-Token`
 * (unsigned; the digest covers replays), else the signature digest. There is
 * no type (`event.type` is `null`; the form body has `MessageStatus`,
 * `CallStatus`, …). A voice or messaging webhook that must answer with
 * TwiML needs a response hook; the default answer is the guard's 202.
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [twilio({ authToken: process.env.TWILIO_AUTH_TOKEN!, publicUrl: 'https://example.com' })],
 *   enqueue: async (event) => queue.add('twilio', event),
 * })
 * ```
 */
export function twilio(options: TwilioOptions): Verifier {
  requireOptions(options, 'twilio')
  // One keyring for every URL form: a resolver is asked once per request, not once per form tried.
  const keys = hmacKeys(options.authToken, 'sha1', 'twilio', 'authToken')
  const bases =
    options.publicUrl === undefined ? [undefined] : portForms(publicBaseUrl(options.publicUrl, 'twilio', 'publicUrl'))
  const scheme = { name: 'twilio', header: 'x-twilio-signature', encoding: 'base64' } as const
  const form = bases.map((publicUrl) => hmacSignatureWith(keys, { ...scheme, signedContent: '{url}{form}', publicUrl }))
  const json = bases.map((publicUrl) =>
    hmacSignatureWith(keys, { ...scheme, signedContent: '{url}', bodySha256Param: 'bodySHA256', publicUrl }),
  )
  const first = form[0] as Verifier
  return {
    name: 'twilio',
    keepHeaders: [idHeader],
    credentialHeaders: ['x-twilio-signature'],
    missingCredentialCode: 'missing_signature',
    signs: { body: true, headers: [] },
    ...(first.urlFromProxy ? { urlFromProxy: true } : {}),
    eventId: { header: idHeader },
    async verify(ctx: VerifyContext): Promise<VerifyResult> {
      const signsBodyHash = new URLSearchParams(ctx.query ?? '').has('bodySHA256')
      const result = await firstPassing(signsBodyHash ? json : form, ctx)
      if (carries(ctx.headers, idHeader) || result.replayKey === undefined) return result
      return { ...result, id: `twilio-signature:${result.replayKey.key}` }
    },
    invalidate: (tenant) => keys.invalidate(tenant),
  }
}
