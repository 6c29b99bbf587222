import { sha256 } from '#crypto'
import { WebhookError } from '../errors.js'
import { singleHeader } from '../lib/headers.js'
import type { Keys } from './key-resolver.js'
import { compileKeys, randomBytes } from './keyring.js'
import { nonEmptyString, optionError, requireOptions } from './option-checks.js'
import { matchesAnyDigest } from './secret-header.js'
import type { Verifier, VerifyContext, VerifyResult } from './verifier.js'

/** A user name and password a sender presents with HTTP Basic authentication. */
export interface BasicCredential {
  /** The user name: not empty, no `:` (RFC 7617). */
  username: string
  /** The password: not empty. */
  password: string
}

/** Options for {@link basicAuth}. */
export interface BasicAuthOptions {
  /**
   * The credential the sender presents, or several during a rotation (each
   * may carry its window, `{ key, notBefore, notAfter }`), or a resolver
   * (`keyResolver`, or a plain function) that looks the tenant's up.
   */
  credentials: Keys<BasicCredential>
  /** The verifier's name in logs and on `event.auth`. Default `basic-auth`. */
  name?: string
}

const basicPattern = /^basic +([A-Za-z0-9+/]+={0,2})$/i
const encoder = new TextEncoder()

/** The bytes `base64` stands for, or undefined when it is not canonical padded base64. */
function decodeBase64(base64: string): Uint8Array | undefined {
  if (base64.length % 4 !== 0) return undefined
  let binary: string
  try {
    binary = atob(base64)
  } catch {
    return undefined
  }
  return Uint8Array.from(binary, (c) => c.charCodeAt(0))
}

/**
 * Verifies HTTP Basic authentication (RFC 7617): `Authorization: Basic
 * base64(username:password)`. The decoded `username:password` is hashed and
 * compared with each configured credential's hash, so the comparison leaks
 * neither content nor length, and every credential is always checked. Basic
 * authentication signs nothing: it proves who sent a request, not what it
 * holds, so use it over HTTPS and rotate a leaked password.
 *
 * @example
 * ```ts
 * basicAuth({ credentials: { username: 'postmark', password: process.env.HOOK_PASSWORD! } })
 * basicAuth({ credentials: [oldCredential, newCredential] }) // rotation
 * ```
 */
export function basicAuth(options: BasicAuthOptions): Verifier {
  requireOptions(options, 'basicAuth')
  const name = options.name === undefined ? 'basic-auth' : nonEmptyString(options.name, 'basicAuth', 'name')
  const where = name
  const digests = compileKeys(options.credentials, {
    where,
    option: 'credentials',
    compile: (credential, label) => {
      if (!credential || typeof credential !== 'object') throw optionError(where, label, 'an object')
      const username = nonEmptyString(credential.username, where, `${label}.username`)
      if (username.includes(':')) throw optionError(where, `${label}.username`, 'a user name without ":"')
      const password = nonEmptyString(credential.password, where, `${label}.password`)
      return sha256(encoder.encode(`${username}:${password}`))
    },
    decoy: () => sha256(randomBytes(32)),
    refusal: 'invalid_token',
  })

  return {
    name,
    credentialHeaders: ['authorization'],
    async verify(ctx: VerifyContext): Promise<VerifyResult> {
      const value = singleHeader(ctx.headers, 'authorization')
      if (value === undefined || value === '')
        throw new WebhookError('missing_credentials', 'missing authorization header')
      const match = basicPattern.exec(value.trim())
      if (!match) throw new WebhookError('missing_credentials', 'Authorization header is not Basic credentials')
      const presented = decodeBase64(match[1] as string)
      if (presented === undefined) throw new WebhookError('invalid_token', 'Basic credentials are not valid base64')
      const digest = await sha256(presented)
      return await digests.use(ctx, async (configured) => {
        if (!(await matchesAnyDigest(digest, configured)))
          throw new WebhookError('invalid_token', 'Basic credentials match none of the configured ones')
        return {}
      })
    },
    invalidate: (tenant) => digests.invalidate(tenant),
  }
}
