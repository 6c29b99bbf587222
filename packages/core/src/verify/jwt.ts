import { errors, type JWK, type JWSHeaderParameters, type JWTPayload } from 'jose'
import { base64UrlText } from '#crypto'
import { WebhookError } from '../errors.js'
import { singleHeader } from '../lib/headers.js'
import type { JwsAlgorithm, JwsKey } from './crypto/port.js'
import { type ClaimRules, claimsFailure } from './jwt-claims.js'
import { jwtDecoySource } from './jwt-decoy.js'
import {
  describe,
  type KeySource,
  publicKeySource,
  remoteKeySetSettings,
  remoteKeySource,
  remoteKeySources,
  secretSource,
} from './jwt-keys.js'
import { type KeyLookup, type KeyResolver, type Keys, lookupOf } from './key-resolver.js'
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
   * `https:` (plain `http:` only for localhost). Or a resolver (`keyResolver`,
   * or a plain function) that returns the tenant's key-set URL (or several):
   * each URL's set is fetched and cached as a static one is, one cache per
   * URL, shared by the tenants that name it (at most the resolver's
   * `maxTenants` kept). A resolved URL that is not `https:` fails the lookup
   * (503 `keys_unavailable`), as a set that cannot be fetched does.
   */
  jwksUrl?: string | URL | KeyResolver<string | URL> | KeyLookup<string | URL>
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

/** What `verify` checks after the claim rules: exact claim values, then the user's own check. */
interface ClaimChecks {
  exact: readonly (readonly [string, JwtClaimValue])[]
  verifyClaims: JwtOptions['verifyClaims']
}

/** A protected header that passed the checks. */
interface CheckedHeader {
  header: JWSHeaderParameters
  alg: JwsAlgorithm
  /** False for a header with `crit: ["b64"]` and `b64: false`, which a JWT must not use. */
  b64: boolean
}

/** A compact JWS split up, its protected header checked. */
interface ParsedToken extends CheckedHeader {
  /** `header.payload`, the signed bytes (ASCII). */
  signingInput: string
  payload: string
  signature: string
}

/**
 * How many checked protected headers a verifier remembers, by their encoded
 * text: a sender sends the same header on every token, so its decode and
 * parse are done once (about a fifth of an HS256 verify). Cleared when full.
 */
const headerCacheSize = 16

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
/** A well-formed bearer JWT in one test (a third of the two-step check's cost); anything else takes the two steps. */
const bearerJwsPattern = /^bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i
const compactJws = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/
const maxTokenLength = 16 * 1024

/**
 * Verifies a JSON Web Token (keys imported once, by `jose`; each token checked
 * with the platform's crypto, under jose's rules) sent as a bearer token or in a named
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
 * // Each tenant's own key set (the guard's `tenant` option names the tenant); one cache per URL.
 * jwt({ jwksUrl: ({ tenant }) => tenantJwksUrls.get(tenant!), algorithms: ['RS256'], issuer: null, audience: 'hooks' })
 * ```
 */
export function jwt(options: JwtOptions): Verifier {
  requireOptions(options, 'jwt')
  const name = options.name === undefined ? 'jwt' : nonEmptyString(options.name, 'jwt', 'name')
  const where = name
  const algorithms = acceptedAlgorithms(options, where)
  const sources = keySources(options, algorithms, where)
  const header = headerName(options.header ?? 'authorization', where, 'header')
  const rules = claimRules(options, where)
  const checks = claimChecks(options, where)
  const accepted = new Set(algorithms)
  const headers = new Map<string, CheckedHeader>()
  return {
    name,
    credentialHeaders: [header],
    verify(ctx: VerifyContext): VerifyResult | Promise<VerifyResult> {
      const token = parseToken(tokenFrom(ctx, header), accepted, headers)
      return sources.use(ctx, (keys) => {
        const verified = verifySignature(token, keys, 0)
        if (verified === undefined) return accept(token, ctx, rules, checks)
        return verified.then(() => accept(token, ctx, rules, checks))
      })
    },
    invalidate: (tenant) => sources.invalidate(tenant),
  }
}

/**
 * The token's claims once its signature is good: jose's claim rules, the
 * exact values, then `verifyClaims`. Synchronous unless `verifyClaims` is not.
 */
function accept(
  token: ParsedToken,
  ctx: VerifyContext,
  rules: ClaimRules,
  checks: ClaimChecks,
): VerifyResult | Promise<VerifyResult> {
  if (!token.b64) throw new WebhookError('invalid_token', 'a JWT must not use an unencoded payload (b64: false)')
  const claims = claimsOf(token.payload)
  const failure = claimsFailure(claims, rules, Math.floor(ctx.nowMs / 1000))
  if (failure) throw failure
  for (const [claim, value] of checks.exact) {
    if (claims[claim] !== value)
      throw new WebhookError('invalid_token', `claim ${claim} does not have the expected value`)
  }
  if (checks.verifyClaims === undefined) return resultOf(claims)
  return userCheck(claims, ctx, checks.verifyClaims)
}

function resultOf(claims: JWTPayload): VerifyResult {
  const result: VerifyResult = { claims: { ...claims } }
  if (claims.iat !== undefined) result.timestamp = claims.iat
  return result
}

/** `verifyClaims`: anything but `true` rejects; a throw is the token's fault, described by name only. */
async function userCheck(
  claims: JWTPayload,
  ctx: VerifyContext,
  verifyClaims: NonNullable<JwtOptions['verifyClaims']>,
): Promise<VerifyResult> {
  let passed: boolean
  try {
    passed = await verifyClaims(claims, ctx)
  } catch (error) {
    throw rejectionFor(error)
  }
  if (passed !== true) throw new WebhookError('invalid_token', 'verifyClaims rejected the token')
  return resultOf(claims)
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
  const tenantUrls = lookupOf(options.jwksUrl)
  if (tenantUrls !== undefined) {
    const sources = remoteKeySources(remoteKeySetSettings(options, where), tenantUrls.maxTenants)
    return compileKeys(tenantUrls, {
      where,
      option: 'jwksUrl',
      compile: (url, label) => sources(jwksUrl(url, where, label)),
      decoy: () => jwtDecoySource(algorithms),
      refusal: 'invalid_token',
    })
  }
  const url = jwksUrl(options.jwksUrl, where, 'jwksUrl')
  return fixedKeyring([remoteKeySource(url, remoteKeySetSettings(options, where))])
}

function jwksUrl(value: unknown, where: string, option: string): URL {
  let url: URL
  try {
    url = new URL(value as string | URL)
  } catch {
    throw new TypeError(`${where}: ${option} must be a URL`)
  }
  const local = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    throw new TypeError(`${where}: ${option} must be https: (http: only for localhost)`)
  }
  return url
}

/** The claim rules: issuer, audience, required claims (`exp` by default), clock tolerance, token age. */
function claimRules(options: JwtOptions, where: string): ClaimRules {
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
  // jose's order: iss, aud, iat (with a max age), then the required claims last to first.
  const present = [
    ...(issuer === undefined ? [] : ['iss']),
    ...(audience === undefined ? [] : ['aud']),
    ...(maxTokenAge === undefined ? [] : ['iat']),
    ...required.reverse(),
  ]
  return {
    present: [...new Set(present)],
    issuer: issuer === undefined ? undefined : list(issuer),
    audience: audience === undefined ? undefined : list(audience),
    clockTolerance,
    maxTokenAge,
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
  if (header === 'authorization') {
    const fast = bearerJwsPattern.exec(value)?.[1]
    if (fast !== undefined && fast.length <= maxTokenLength) return fast
  }
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

/** The compact JWS's three parts and its protected header, checked (once per distinct header). */
function parseToken(token: string, accepted: ReadonlySet<string>, known: Map<string, CheckedHeader>): ParsedToken {
  const firstDot = token.indexOf('.')
  const secondDot = token.indexOf('.', firstDot + 1)
  const encodedHeader = token.slice(0, firstDot)
  let checked = known.get(encodedHeader)
  if (checked === undefined) {
    checked = checkHeader(encodedHeader, accepted)
    if (known.size >= headerCacheSize) known.clear()
    known.set(encodedHeader, checked)
  }
  return {
    header: checked.header,
    alg: checked.alg,
    b64: checked.b64,
    signingInput: token.slice(0, secondDot),
    payload: token.slice(firstDot + 1, secondDot),
    signature: token.slice(secondDot + 1),
  }
}

/** A protected header checked as jose checks it: a JSON object in UTF-8, `crit` only for `b64`, a pinned `alg`. */
function checkHeader(encodedHeader: string, accepted: ReadonlySet<string>): CheckedHeader {
  const header = Object.freeze(jsonObject(encodedHeader, 'protected header')) as JWSHeaderParameters
  let b64 = true
  if (header.crit !== undefined) {
    const crit: unknown = header.crit
    if (!Array.isArray(crit) || crit.length === 0 || crit.some((c) => typeof c !== 'string' || c.length === 0)) {
      throw new WebhookError('invalid_token', 'crit must be a list of header names')
    }
    for (const name of crit) {
      if (name !== 'b64') throw new WebhookError('invalid_token', 'crit names an extension that is not supported')
      if (!Object.hasOwn(header, name) || header[name] === undefined) {
        throw new WebhookError('invalid_token', 'crit names a header parameter that is missing')
      }
    }
    if (typeof header.b64 !== 'boolean') throw new WebhookError('invalid_token', 'b64 must be a boolean')
    b64 = header.b64
  }
  const alg = header.alg
  if (typeof alg !== 'string' || alg.length === 0) throw new WebhookError('invalid_token', 'missing or invalid alg')
  if (!accepted.has(alg)) throw new WebhookError('invalid_token', 'alg is not one of the accepted algorithms')
  return { header, alg: alg as JwsAlgorithm, b64 }
}

/** A base64url segment holding a JSON object (in strict UTF-8), as jose requires of a header and a claim set. */
function jsonObject(segment: string, what: string): Record<string, unknown> {
  const text = base64UrlText(segment)
  let value: unknown
  try {
    value = text === undefined ? undefined : JSON.parse(text)
  } catch {
    value = undefined
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new WebhookError('invalid_token', `the ${what} is not a base64url JSON object`)
  }
  return value as Record<string, unknown>
}

function claimsOf(payload: string): JWTPayload {
  return jsonObject(payload, 'claim set') as JWTPayload
}

/**
 * Tries each key source in turn, from `from`; only a key that does not fit
 * (a wrong signature, or no key for the header) falls through to the next.
 * Returns undefined when a key verified the token without waiting, else a
 * promise of the same outcome.
 */
function verifySignature(token: ParsedToken, sources: readonly KeySource[], from: number): undefined | Promise<void> {
  let signatureChecked = false
  for (let i = from; i < sources.length; i++) {
    const last = i === sources.length - 1
    let key: JwsKey | Promise<JwsKey>
    try {
      key = (sources[i] as KeySource)(token.header)
    } catch (error) {
      if (last || !(error instanceof errors.JWKSNoMatchingKey)) throw rejectionFor(error)
      continue
    }
    if (key instanceof Promise)
      return key.then(
        (k) => verifyWith(k, token, sources, i),
        (e) => next(e, token, sources, i),
      )
    if (!signatureChecked) signatureChecked = checkSignatureText(token)
    const valid = key.verify(token.signingInput, token.signature)
    if (valid instanceof Promise) return valid.then((ok) => (ok ? undefined : wrongKey(token, sources, i)))
    if (valid) return undefined
    if (last) throw new WebhookError('invalid_token', 'signature verification failed')
  }
  throw new WebhookError('invalid_token', 'no key configured')
}

/** After a key arrived: verify with it, or go on with the next source. */
async function verifyWith(key: JwsKey, token: ParsedToken, sources: readonly KeySource[], i: number): Promise<void> {
  checkSignatureText(token)
  if (!(await key.verify(token.signingInput, token.signature))) return wrongKey(token, sources, i)
}

/** A failed key lookup: the next source if the key merely did not fit, else the failure. */
function next(error: unknown, token: ParsedToken, sources: readonly KeySource[], i: number): undefined | Promise<void> {
  if (i === sources.length - 1 || !(error instanceof errors.JWKSNoMatchingKey)) throw rejectionFor(error)
  return verifySignature(token, sources, i + 1)
}

function wrongKey(token: ParsedToken, sources: readonly KeySource[], i: number): undefined | Promise<void> {
  if (i === sources.length - 1) throw new WebhookError('invalid_token', 'signature verification failed')
  return verifySignature(token, sources, i + 1)
}

/** The signature's characters are base64url (the token's pattern); here its length is checked, as jose decodes it. */
function checkSignatureText(token: ParsedToken): true {
  if (token.signature.length % 4 === 1) throw new WebhookError('invalid_token', 'the signature is not base64url')
  return true
}

/** Maps a key source's failure to a stable code; the detail names the check, never the token. */
function rejectionFor(error: unknown): WebhookError {
  if (error instanceof WebhookError) return error
  return new WebhookError('invalid_token', describe(error))
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
