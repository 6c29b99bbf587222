import { errors, type JWK, type JWTPayload, type JWTVerifyOptions, jwtVerify } from 'jose'
import { WebhookError } from '../errors.js'
import { singleHeader } from '../lib/headers.js'
import { jwtDecoySource } from './jwt-decoy.js'
import { describe, type KeySource, publicKeySource, remoteKeySource, secretSource } from './jwt-keys.js'
import type { Keys } from './key-resolver.js'
import { compileKeys, fixedKeyring, type Keyring, randomBytes } from './keyring.js'
import {
  booleanOption,
  headerName,
  nonEmptyString,
  nonNegativeNumber,
  optionError,
  positiveNumber,
  requireOptions,
} from './option-checks.js'
import type { Verifier, VerifyContext, VerifyResult } from './verifier.js'

/** A claim value `claims` can require exactly. */
export type JwtClaimValue = string | number | boolean

/** Options for {@link jwt}. Give exactly one of `secret`, `publicKey` or `jwksUrl`. */
export interface JwtOptions {
  /**
   * HMAC secret(s) for `HS256`/`HS384`/`HS512`; a string is used as its UTF-8
   * bytes. Several during a rotation (each may carry its window, `{ key,
   * notBefore, notAfter }`), or a resolver (`keyResolver`, or a plain function).
   */
  secret?: Keys<string | Uint8Array>
  /**
   * Public key(s) as a PEM `-----BEGIN PUBLIC KEY-----` (SPKI) or a public JWK.
   * Several during a rotation (each may carry its window), or a resolver.
   */
  publicKey?: Keys<string | JWK>
  /**
   * The sender's JSON Web Key Set, fetched with jose's `createRemoteJWKSet`:
   * cached, refetched at most once per `jwksCooldownMs` for an unknown `kid`.
   * `https:` (plain `http:` only for localhost).
   */
  jwksUrl?: string | URL
  /** The accepted algorithms, e.g. `['RS256']`. Required; `none` is never accepted. */
  algorithms: readonly string[]
  /** The expected `iss` (one of several), or `null` when the sender sets none. Required. */
  issuer: string | readonly string[] | null
  /** The expected `aud` (one of several), or `null` when the sender sets none. Required. */
  audience: string | readonly string[] | null
  /**
   * Where the token arrives. Default `authorization`, read as
   * `Authorization: Bearer <token>`. Any other header carries the bare token.
   */
  header?: string
  /** Claims that must be present, besides `exp` (see `requireExpiration`). Default none. */
  requiredClaims?: readonly string[]
  /** Whether tokens without `exp` are rejected. Default `true`. */
  requireExpiration?: boolean
  /** Allowed clock difference for `exp`, `nbf` and `iat`, in seconds. Default 60. */
  clockToleranceSeconds?: number
  /** The oldest accepted token by its `iat`, in seconds (then `iat` is required). Default: no limit. */
  maxTokenAgeSeconds?: number
  /** Claims that must equal these values exactly, e.g. `{ email: 'x@y', email_verified: true }`. */
  claims?: Readonly<Record<string, JwtClaimValue>>
  /**
   * A last check on the verified claims and the request, e.g. that a claim
   * holds a hash of the body. Returning `false` rejects with `invalid_token`.
   */
  verifyClaims?: (claims: JWTPayload, ctx: VerifyContext) => boolean | Promise<boolean>
  /** Timeout of a key-set fetch, in ms. Default 2 000 (a sender's deadline is often 5 s). */
  jwksTimeoutMs?: number
  /** After a successful key-set fetch, how long an unknown `kid` is rejected without refetching, in ms. Default 30 000. */
  jwksCooldownMs?: number
  /**
   * After a failed key-set fetch, how long no new fetch is made, in ms. Meanwhile a token whose key
   * the cached set holds still verifies; one that needs a fetch gets 503 `keys_unavailable`. Default 1 000.
   */
  jwksFailureBackoffMs?: number
  /** How long a fetched key set is used before it is fetched again, in ms. Default 600 000. */
  jwksCacheMaxAgeMs?: number
  /** The verifier's name in logs and on `event.auth`. Default `jwt`. */
  name?: string
}

/** What `verify` checks beyond jose: exact claim values, then the user's own check. */
interface ClaimChecks {
  exact: readonly (readonly [string, JwtClaimValue])[]
  verifyClaims: JwtOptions['verifyClaims']
}

const hmacAlgorithms = new Set(['HS256', 'HS384', 'HS512'])
const asymmetricAlgorithms = new Set([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
])
const bearerPattern = /^bearer +([^ ]+)$/i
const compactJws = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/
const maxTokenLength = 16 * 1024

/**
 * Verifies a JSON Web Token (via `jose`) sent as a bearer token or in a named
 * header: the signature with a secret, a public key or a remote key set
 * (JWKS), pinned algorithms, `exp` (required by default, 60 s clock
 * tolerance), issuer, audience and exact claim values. The verified claims
 * are recorded on the event (`event.auth[i].claims`).
 *
 * Failures: no token → 401 `missing_credentials`; expired → 401
 * `token_expired`; anything else wrong with the token → 401 `invalid_token`
 * (an `exp`, `nbf` or `iat` that is not whole seconds, such as `1e400` or `1.5`, included);
 * the key set cannot be fetched (down, timeout, not JSON) → 503
 * `keys_unavailable`, so the sender retries.
 *
 * @example
 * ```ts
 * jwt({
 *   jwksUrl: 'https://auth.example.com/.well-known/jwks.json',
 *   algorithms: ['RS256'],
 *   issuer: 'https://auth.example.com/',
 *   audience: 'https://hooks.example.com',
 *   claims: { email: 'sender@example.com', email_verified: true },
 * })
 * jwt({ secret: process.env.HOOK_JWT_SECRET!, algorithms: ['HS256'], issuer: 'acme', audience: 'hooks' })
 * ```
 */
export function jwt(options: JwtOptions): Verifier {
  requireOptions(options, 'jwt')
  const name = options.name === undefined ? 'jwt' : nonEmptyString(options.name, 'jwt', 'name')
  const where = name
  const algorithms = acceptedAlgorithms(options, where)
  const sources = keySources(options, algorithms, where)
  const header = headerName(options.header ?? 'authorization', where, 'header')
  const baseOptions = joseOptions(options, algorithms, where)
  const checks = claimChecks(options, where)
  return {
    name,
    credentialHeaders: [header],
    async verify(ctx: VerifyContext): Promise<VerifyResult> {
      const token = tokenFrom(ctx, header)
      const verifyOptions = { ...baseOptions, currentDate: new Date(ctx.nowMs) }
      const claims = await sources.use(ctx, (keys) => verifyToken(token, keys, verifyOptions))
      await checkClaims(claims, ctx, checks)
      const result: VerifyResult = { claims: { ...claims } }
      if (claims.iat !== undefined) result.timestamp = claims.iat
      return result
    },
    invalidate: (tenant) => sources.invalidate(tenant),
  }
}

/** The pinned algorithms, which must fit the one kind of key given (a secret for `HS*`, a public key otherwise). */
function acceptedAlgorithms(options: JwtOptions, where: string): readonly string[] {
  const algorithms = options.algorithms
  if (!Array.isArray(algorithms) || algorithms.length === 0) {
    throw optionError(where, 'algorithms', "a list of the accepted algorithms, e.g. ['RS256']")
  }
  for (const alg of algorithms) {
    if (!hmacAlgorithms.has(alg) && !asymmetricAlgorithms.has(alg)) {
      throw new TypeError(`${where}: algorithms: ${String(alg).slice(0, 16)} is not accepted ('none' never is)`)
    }
  }
  const given = (['secret', 'publicKey', 'jwksUrl'] as const).filter((k) => options[k] !== undefined)
  if (given.length !== 1) throw new TypeError(`${where}: give exactly one of secret, publicKey or jwksUrl`)
  const symmetric = given[0] === 'secret'
  for (const alg of algorithms) {
    if (symmetric && !hmacAlgorithms.has(alg)) {
      throw new TypeError(`${where}: algorithms: ${alg} needs a publicKey or jwksUrl, not a secret`)
    }
    if (!symmetric && hmacAlgorithms.has(alg)) {
      throw new TypeError(`${where}: algorithms: ${alg} needs a secret, not a public key`)
    }
  }
  return algorithms
}

/** The key sources of whichever of `secret`, `publicKey` or `jwksUrl` is given, tried in order. */
function keySources(options: JwtOptions, algorithms: readonly string[], where: string): Keyring<KeySource> {
  if (options.secret !== undefined) {
    return compileKeys(options.secret, {
      where,
      option: 'secret',
      compile: (secret, label) => secretSource(secret, `${where}: ${label}`),
      decoy: () => secretSource(randomBytes(32), 'decoy'),
      refusal: 'invalid_token',
    })
  }
  if (options.publicKey !== undefined) {
    return compileKeys(options.publicKey, {
      where,
      option: 'publicKey',
      compile: (key, label) => publicKeySource(key, algorithms, `${where}: ${label}`),
      decoy: () => jwtDecoySource(algorithms),
      refusal: 'invalid_token',
    })
  }
  const remote = remoteKeySource(jwksUrl(options.jwksUrl, where), options, where)
  return fixedKeyring([remote])
}

function jwksUrl(value: unknown, where: string): URL {
  let url: URL
  try {
    url = new URL(value as string | URL)
  } catch {
    throw new TypeError(`${where}: jwksUrl must be a URL`)
  }
  const local = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    throw new TypeError(`${where}: jwksUrl must be https: (http: only for localhost)`)
  }
  return url
}

/** What jose checks: algorithms, issuer, audience, required claims (`exp` by default), clock tolerance, token age. */
function joseOptions(options: JwtOptions, algorithms: readonly string[], where: string): JWTVerifyOptions {
  const issuer = stringOrList(options.issuer, where, 'issuer')
  const audience = stringOrList(options.audience, where, 'audience')
  const requiredClaims = options.requiredClaims ?? []
  if (!Array.isArray(requiredClaims) || requiredClaims.some((c) => typeof c !== 'string' || c.length === 0)) {
    throw optionError(where, 'requiredClaims', 'a list of claim names')
  }
  const required = [...requiredClaims]
  const requireExpiration = booleanOption(options.requireExpiration ?? true, where, 'requireExpiration')
  if (requireExpiration && !required.includes('exp')) required.push('exp')
  const clockTolerance = nonNegativeNumber(options.clockToleranceSeconds ?? 60, where, 'clockToleranceSeconds')
  const maxTokenAge =
    options.maxTokenAgeSeconds === undefined
      ? undefined
      : positiveNumber(options.maxTokenAgeSeconds, where, 'maxTokenAgeSeconds')
  return {
    algorithms: [...algorithms],
    clockTolerance,
    requiredClaims: required,
    ...(issuer === undefined ? {} : { issuer }),
    ...(audience === undefined ? {} : { audience }),
    ...(maxTokenAge === undefined ? {} : { maxTokenAge }),
  }
}

function claimChecks(options: JwtOptions, where: string): ClaimChecks {
  const claimValues = options.claims ?? {}
  if (typeof claimValues !== 'object' || Array.isArray(claimValues)) {
    throw optionError(where, 'claims', 'an object of claim names and values')
  }
  const exact = Object.entries(claimValues)
  for (const [claim, value] of exact) {
    if (!['string', 'number', 'boolean'].includes(typeof value)) {
      throw optionError(where, `claims.${claim}`, 'a string, number or boolean')
    }
  }
  const verifyClaims = options.verifyClaims
  if (verifyClaims !== undefined && typeof verifyClaims !== 'function') {
    throw optionError(where, 'verifyClaims', 'a function')
  }
  return { exact, verifyClaims }
}

function tokenFrom(ctx: VerifyContext, header: string): string {
  const value = singleHeader(ctx.headers, header)
  if (value === undefined || value === '') throw new WebhookError('missing_credentials', `missing ${header} header`)
  let token = value.trim()
  if (header === 'authorization') {
    const match = bearerPattern.exec(token)
    if (!match) throw new WebhookError('missing_credentials', 'Authorization header is not a Bearer token')
    token = match[1] as string
  }
  if (token.length > maxTokenLength || !compactJws.test(token)) {
    throw new WebhookError('invalid_token', `${header} does not hold a signed compact JWT`)
  }
  return token
}

/** Tries each key in turn; only a signature that fits none of them falls through to the next. */
async function verifyToken(
  token: string,
  sources: readonly KeySource[],
  verifyOptions: JWTVerifyOptions,
): Promise<JWTPayload> {
  for (let i = 0; i < sources.length; i++) {
    try {
      const { payload } = await jwtVerify(token, sources[i] as KeySource, verifyOptions)
      return payload
    } catch (error) {
      const wrongKey =
        error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey
      if (!wrongKey || i === sources.length - 1) throw rejectionFor(error)
    }
  }
  throw new WebhookError('invalid_token', 'no key configured')
}

/** Maps a jose failure to a stable code; the detail names the check, never the token. */
function rejectionFor(error: unknown): WebhookError {
  if (error instanceof WebhookError) return error
  if (error instanceof errors.JWTExpired) {
    return badTimeClaim(error.payload) ?? new WebhookError('token_expired', describe(error))
  }
  return new WebhookError('invalid_token', describe(error))
}

/** The checks after jose's: whole-second time claims, exact claim values, then `verifyClaims`. */
async function checkClaims(claims: JWTPayload, ctx: VerifyContext, checks: ClaimChecks): Promise<void> {
  const badTime = badTimeClaim(claims)
  if (badTime) throw badTime
  for (const [claim, value] of checks.exact) {
    if (claims[claim] !== value)
      throw new WebhookError('invalid_token', `claim ${claim} does not have the expected value`)
  }
  if (checks.verifyClaims) {
    let passed: boolean
    try {
      passed = await checks.verifyClaims(claims, ctx)
    } catch (error) {
      throw rejectionFor(error)
    }
    if (passed !== true) throw new WebhookError('invalid_token', 'verifyClaims rejected the token')
  }
}

/**
 * jose checks only that `exp`, `nbf` and `iat` are numbers, and the JSON text
 * `"exp":1e400` parses to `Infinity`: a token that never expires. Here a time
 * claim is whole seconds (a safe integer) or the token is `invalid_token`.
 */
function badTimeClaim(claims: JWTPayload): WebhookError | undefined {
  for (const claim of ['exp', 'nbf', 'iat'] as const) {
    const value = claims[claim]
    if (value !== undefined && !Number.isSafeInteger(value)) {
      return new WebhookError('invalid_token', `claim ${claim} is not a whole number of seconds`)
    }
  }
  return undefined
}

function list<T>(value: T | readonly T[] | undefined): readonly T[] {
  if (value === undefined) return []
  return Array.isArray(value) ? (value as readonly T[]) : [value as T]
}

function stringOrList(value: unknown, where: string, option: string): string | string[] | undefined {
  if (value === null) return undefined
  const values = list(value as string | readonly string[])
  if (value === undefined || values.length === 0 || values.some((v) => typeof v !== 'string' || v.length === 0)) {
    throw optionError(where, option, 'a non-empty string, a list of them, or null')
  }
  return values.length === 1 ? (values[0] as string) : [...values]
}
