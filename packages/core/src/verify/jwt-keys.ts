import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  importJWK,
  importSPKI,
  type JWK,
  type JWSHeaderParameters,
} from 'jose'
import { jwsKey } from '#crypto'
import { WebhookError } from '../errors.js'
import type { JwsAlgorithm, JwsKey } from './crypto/port.js'
import type { JwtOptions } from './jwt.js'
import { nonNegativeNumber, positiveNumber, timerMs } from './option-checks.js'

/**
 * Where a token's key comes from: given the token's protected header, the key
 * to verify it with, prepared once. A key already at hand is returned as it
 * is (no promise), so a token verifies without waiting when the port's crypto
 * is synchronous.
 */
export type KeySource = (header: JWSHeaderParameters) => JwsKey | Promise<JwsKey>

/** RFC 7518 §3.3 (and jose): RSA keys under 2048 bits are refused. */
const minRsaBits = 2048

/**
 * The one place a key becomes a {@link JwsKey}: HMAC secret bytes, or a
 * `CryptoKey` that jose imported for `alg` (from a PEM, a JWK, a key set).
 * An RSA key below 2048 bits is refused when a token needs it, as jose
 * refuses it (`invalid_token`; the next key is not tried).
 */
export function importedKey(alg: JwsAlgorithm, key: Uint8Array | CryptoKey): JwsKey {
  if (!(key instanceof Uint8Array) && (alg.startsWith('RS') || alg.startsWith('PS'))) {
    const { modulusLength } = key.algorithm as RsaHashedKeyAlgorithm
    if (typeof modulusLength !== 'number' || modulusLength < minRsaBits) {
      return {
        verify() {
          throw new WebhookError('invalid_token', `${alg} requires a key of ${minRsaBits} bits or more`)
        },
      }
    }
  }
  return jwsKey(alg, key)
}

/** Each `CryptoKey` a key set hands out (jose caches its imports), prepared once. */
function preparedOnce(): (alg: JwsAlgorithm, key: Uint8Array | CryptoKey) => JwsKey {
  const prepared = new WeakMap<object, { alg: JwsAlgorithm; key: JwsKey }>()
  return (alg, key) => {
    const known = prepared.get(key)
    if (known?.alg === alg) return known.key
    const fresh = importedKey(alg, key)
    prepared.set(key, { alg, key: fresh })
    return fresh
  }
}

/** The key-set timings of {@link JwtOptions}. */
type RemoteKeySetOptions = Pick<
  JwtOptions,
  'jwksTimeoutMs' | 'jwksCooldownMs' | 'jwksFailureBackoffMs' | 'jwksCacheMaxAgeMs'
>

const encoder = new TextEncoder()

/** A jose failure as `code: message`, which never holds the token; anything else by its name only. */
export function describe(error: unknown): string {
  if (error instanceof errors.JOSEError) return `${error.code}: ${error.message}`
  return error instanceof Error ? error.name : 'non-error thrown'
}

/** The key-set timings of {@link JwtOptions}, checked once, at creation. */
export interface RemoteKeySetSettings {
  timeoutMs: number
  cooldownMs: number
  cacheMaxAgeMs: number
  /** After a failed fetch, how long no new fetch is made. */
  backoffMs: number
}

/** The key-set timings, with their defaults; a bad one is a `TypeError` naming it. */
export function remoteKeySetSettings(options: RemoteKeySetOptions, where: string): RemoteKeySetSettings {
  return {
    timeoutMs: Math.ceil(timerMs(options.jwksTimeoutMs ?? 2_000, where, 'jwksTimeoutMs')),
    cooldownMs: nonNegativeNumber(options.jwksCooldownMs ?? 30_000, where, 'jwksCooldownMs'),
    cacheMaxAgeMs: positiveNumber(options.jwksCacheMaxAgeMs ?? 600_000, where, 'jwksCacheMaxAgeMs'),
    backoffMs: nonNegativeNumber(options.jwksFailureBackoffMs ?? 1_000, where, 'jwksFailureBackoffMs'),
  }
}

/**
 * One remote key source per key-set URL, made when a tenant first names the
 * URL and shared by every tenant that names it, so a tenant's keys looked up
 * again (its TTL passed) find the key set still cached. At most `max` are
 * kept; the one named least recently goes first.
 */
export function remoteKeySources(settings: RemoteKeySetSettings, max: number): (url: URL) => KeySource {
  const sources = new Map<string, KeySource>()
  return (url) => {
    const href = url.href
    const known = sources.get(href)
    if (known !== undefined) sources.delete(href)
    const source = known ?? remoteKeySource(url, settings)
    sources.set(href, source)
    if (sources.size > max) sources.delete(sources.keys().next().value as string)
    return source
  }
}

/** A key-set resolver whose fetch failures are ours (503), and whose missing keys are the token's (401). */
export function remoteKeySource(url: URL, settings: RemoteKeySetSettings): KeySource {
  const remote = createRemoteJWKSet(url, {
    timeoutDuration: settings.timeoutMs,
    cooldownDuration: settings.cooldownMs,
    cacheMaxAge: settings.cacheMaxAgeMs,
  })
  const location = `${url.origin}${url.pathname}`
  // jose waits between fetches only after a success; while the key set is down, a flood of
  // requests must not become a flood of fetches, so a failure holds further fetches back a while.
  const { backoffMs } = settings
  let failedUntil = 0
  // The key set as it was when a fetch failed: during the back-off, only it is consulted.
  let cached: ReturnType<typeof createLocalJWKSet> | undefined
  const prepare = preparedOnce()
  return async (header) => prepare(header.alg as JwsAlgorithm, await resolve(header))

  async function resolve(header: JWSHeaderParameters): Promise<Uint8Array | CryptoKey> {
    if (Date.now() < failedUntil) return fromCache(header)
    try {
      return await remote(header)
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error
      failedUntil = Date.now() + backoffMs
      const jwks = remote.jwks()
      cached = jwks === undefined ? undefined : createLocalJWKSet(jwks)
      throw new WebhookError('keys_unavailable', `key set ${location} unavailable: ${describe(error)}`)
    }
  }

  /** A key the (still fresh) cached set holds verifies; a token that needs a fetch waits for the back-off to end. */
  async function fromCache(header: JWSHeaderParameters): Promise<Uint8Array | CryptoKey> {
    const waiting = `key set ${location} failed moments ago; next fetch after back-off`
    if (cached === undefined || !remote.fresh) throw new WebhookError('keys_unavailable', waiting)
    try {
      return await cached(header)
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey && !remote.coolingDown) {
        throw new WebhookError('keys_unavailable', `${waiting} (kid not in the cached set)`)
      }
      throw error
    }
  }
}

/**
 * A public key imported once per allowed algorithm, at creation (by jose,
 * which checks that the key fits each). Until the imports settle a token
 * waits for them; afterwards its key is at hand.
 */
export function publicKeySource(key: unknown, algorithms: readonly string[], option: string): KeySource {
  let keys: (JwsKey | undefined)[] | undefined
  const settled = Promise.allSettled(publicKeyImports(key, algorithms, option)).then((results) => {
    keys = results.map((r, i) =>
      r.status === 'fulfilled' ? importedKey(algorithms[i] as JwsAlgorithm, r.value) : undefined,
    )
  })
  const pick = (header: JWSHeaderParameters): JwsKey => {
    if ((keys as (JwsKey | undefined)[]).every((k) => k === undefined)) {
      throw new WebhookError('keys_unavailable', `${option} could not be imported for any of the algorithms`)
    }
    const found = (keys as (JwsKey | undefined)[])[algorithms.indexOf(header.alg as string)]
    if (found === undefined) throw new errors.JWKSNoMatchingKey(`${option} does not fit ${header.alg}`)
    return found
  }
  return (header) => (keys === undefined ? settled.then(() => pick(header)) : pick(header))
}

/** The imports of a PEM (SPKI) or public JWK, one per algorithm, in the order of `algorithms`. */
function publicKeyImports(key: unknown, algorithms: readonly string[], option: string): Promise<CryptoKey>[] {
  if (typeof key === 'string') {
    if (!/^-----BEGIN PUBLIC KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END PUBLIC KEY-----\s*$/.test(key.trim())) {
      throw new TypeError(`${option} must be a PEM public key (-----BEGIN PUBLIC KEY-----) or a public JWK`)
    }
    return algorithms.map((alg) => importSPKI(key, alg))
  }
  if (key && typeof key === 'object' && typeof (key as JWK).kty === 'string') {
    const jwk = key as JWK
    if (jwk.d !== undefined || jwk.kty === 'oct')
      throw new TypeError(`${option} must be a public JWK, not a private or secret one`)
    // A JWK that names its algorithm is used for that one only.
    return algorithms.map((alg) =>
      jwk.alg !== undefined && jwk.alg !== alg
        ? Promise.reject(new TypeError('JWK alg differs'))
        : (importJWK({ ...jwk, alg }, alg) as Promise<CryptoKey>),
    )
  }
  throw new TypeError(`${option} must be a PEM public key (-----BEGIN PUBLIC KEY-----) or a public JWK`)
}

/** An HMAC secret, copied once at creation (a string is its UTF-8 bytes), prepared once per algorithm. */
export function secretSource(secret: unknown, option: string): KeySource {
  let bytes: Uint8Array
  if (typeof secret === 'string' && secret.length > 0) bytes = encoder.encode(secret)
  else if (secret instanceof Uint8Array && secret.byteLength > 0) bytes = secret.slice()
  else throw new TypeError(`${option} must be a non-empty string or Uint8Array`)
  const keys = new Map<string, JwsKey>()
  return (header) => {
    const alg = header.alg as JwsAlgorithm
    let key = keys.get(alg)
    if (key === undefined) {
      key = importedKey(alg, bytes)
      keys.set(alg, key)
    }
    return key
  }
}
