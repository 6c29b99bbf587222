import { sha256 } from '#crypto'
import { WebhookError } from '../errors.js'
import { singleHeader } from '../lib/headers.js'
import type { Keys } from './key-resolver.js'
import { compileKeys, randomBytes } from './keyring.js'
import { headerName, optionError, requireOptions } from './option-checks.js'
import { matchesAnyDigest } from './secret-header.js'
import type { Verifier, VerifyContext, VerifyResult } from './verifier.js'

/** Options for {@link bearerToken}. */
export interface BearerTokenOptions {
  /**
   * The shared secret, or several during a rotation (each may carry its
   * window, `{ key, notBefore, notAfter }`), or a resolver (`keyResolver`, or
   * a plain function) that looks the tenant's tokens up.
   */
  tokens: Keys<string>
  /**
   * Where the token arrives. Default `authorization`, read as
   * `Authorization: Bearer <token>` (scheme case-insensitive). Any other
   * header name carries the token as its whole value.
   */
  header?: string
}

/** RFC 6750 `b64token` characters. */
const tokenPattern = /^[A-Za-z0-9\-._~+/]+=*$/
const bearerPattern = /^bearer +([^ ]+)$/i
const encoder = new TextEncoder()

/**
 * Verifies a shared secret sent as a bearer token or in a custom header. The
 * comparison hashes both sides first, so it leaks neither the token's content
 * nor its length, and always checks every configured token.
 *
 * @example
 * ```ts
 * bearerToken({ tokens: process.env.WEBHOOK_TOKEN! })                        // Authorization: Bearer …
 * bearerToken({ tokens: [oldToken, newToken], header: 'x-webhook-secret' }) // rotation, custom header
 * ```
 */
export function bearerToken(options: BearerTokenOptions): Verifier {
  const where = 'bearerToken'
  requireOptions(options, where)
  const digests = compileKeys(options.tokens, {
    where,
    option: 'tokens',
    compile: (token, label) => {
      if (typeof token !== 'string' || !tokenPattern.test(token)) {
        throw optionError(where, label, 'a non-empty string of RFC 6750 token characters')
      }
      return sha256(encoder.encode(token))
    },
    decoy: () => sha256(randomBytes(32)),
    refusal: 'invalid_token',
  })
  const header = headerName(options.header ?? 'authorization', where, 'header')

  return {
    name: 'bearer-token',
    credentialHeaders: [header],
    async verify(ctx: VerifyContext): Promise<VerifyResult> {
      const value = singleHeader(ctx.headers, header)
      if (value === undefined || value === '') throw new WebhookError('missing_credentials', `missing ${header} header`)
      let token = value
      if (header === 'authorization') {
        const match = bearerPattern.exec(value)
        if (!match) throw new WebhookError('missing_credentials', 'Authorization header is not a Bearer token')
        token = match[1] as string
      }
      if (!tokenPattern.test(token)) throw new WebhookError('invalid_token', 'token has characters outside RFC 6750')
      const presented = await sha256(encoder.encode(token))
      return await digests.use(ctx, async (expected) => {
        if (!(await matchesAnyDigest(presented, expected)))
          throw new WebhookError('invalid_token', `${header} token matches none of the configured tokens`)
        return {}
      })
    },
    invalidate: (tenant) => digests.invalidate(tenant),
  }
}
