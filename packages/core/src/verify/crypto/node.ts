import { isUtf8 } from 'node:buffer'
import {
  constants,
  createHash,
  createHmac,
  createPublicKey,
  createSecretKey,
  KeyObject,
  type JsonWebKey as NodeJsonWebKey,
  timingSafeEqual,
  verify,
  X509Certificate,
} from 'node:crypto'
import { safeEqual } from '../constant-time.js'
import type {
  DigestEncoding,
  EcdsaSignatureFormat,
  Ed25519PublicKey,
  HashAlgorithm,
  HmacKey,
  JwsAlgorithm,
  JwsKey,
  PublicKeyInput,
  SignatureAlgorithm,
  SignatureKey,
} from './port.js'

/** HMAC with `node:crypto`: synchronous, no copies of the body. */
export function hmacKey(algorithm: HashAlgorithm, secret: Uint8Array): HmacKey {
  return new NodeHmacKey(algorithm, createSecretKey(secret))
}

/**
 * A class, not a closure: one object per key instead of an object, a closure
 * and its context, which is what a request for a cold tenant (of thousands)
 * has to pull into the CPU cache.
 */
class NodeHmacKey implements HmacKey {
  readonly #algorithm: HashAlgorithm
  readonly #key: KeyObject
  constructor(algorithm: HashAlgorithm, key: KeyObject) {
    this.#algorithm = algorithm
    this.#key = key
  }
  digest(parts: readonly (string | Uint8Array)[], encoding: DigestEncoding): string {
    const mac = createHmac(this.#algorithm, this.#key)
    for (const part of parts) mac.update(part)
    return mac.digest(encoding)
  }
}

/** The DER SubjectPublicKeyInfo header of an Ed25519 key (RFC 8410); the 32 raw bytes follow. */
const ed25519SpkiPrefix = Buffer.from('302a300506032b6570032100', 'hex')

/** Ed25519 with `node:crypto`: the key object is built once. */
export function ed25519PublicKey(raw: Uint8Array): Ed25519PublicKey {
  if (!(raw instanceof Uint8Array) || raw.byteLength !== 32) throw new TypeError('an Ed25519 public key is 32 bytes')
  let key: ReturnType<typeof createPublicKey>
  try {
    key = createPublicKey({ key: Buffer.concat([ed25519SpkiPrefix, raw]), format: 'der', type: 'spki' })
  } catch {
    throw new TypeError('not a valid Ed25519 public key')
  }
  return {
    verify(parts: readonly (string | Uint8Array)[], signature: Uint8Array): boolean {
      if (signature.byteLength !== 64) return false
      const data = joined(parts)
      try {
        return verify(null, data, key, signature)
      } finally {
        wipe(data)
      }
    },
  }
}

/** The key type and, for ECDSA, the curve each algorithm takes. */
const keyShape: Record<SignatureAlgorithm, { type: string; curve?: string }> = {
  ed25519: { type: 'ed25519' },
  'ecdsa-p256-sha256': { type: 'ec', curve: 'prime256v1' },
  'rsa-pkcs1-sha256': { type: 'rsa' },
  'rsa-pss-sha256': { type: 'rsa' },
  'rsa-pkcs1-sha1': { type: 'rsa' },
}

/**
 * The largest message {@link scratch} holds: the default body limit (1 MiB)
 * and room for what is signed in front of it. A larger one gets its own array.
 */
const maxScratchBytes = 1024 * 1024 + 16 * 1024

/**
 * The one buffer a check's bytes are put in: the parts of a message joined for
 * a one-shot `verify` (Ed25519 has no streaming form), a JWS's signing input
 * and signature, a JWT's decoded claims. Every use is synchronous and done
 * with the bytes before it returns, so one buffer serves every key and every
 * request, in memory already in use rather than a fresh array per check: a
 * fresh 1 MiB array costs about 400 µs of page faults and collection (a third
 * of the Ed25519 check of that body), a copy into this one about 40 µs.
 * Grows to the largest use, up to {@link maxScratchBytes}. It is working
 * space, not a cache: it keeps no result from one check to the next, and
 * {@link wipe} zeroes it after each.
 */
let scratch: Buffer = Buffer.allocUnsafeSlow(0)

/** {@link scratch}, grown to hold `size` bytes; a fresh buffer when `size` is larger than it may grow. */
function scratchFor(size: number): Buffer {
  if (size > maxScratchBytes) return Buffer.allocUnsafe(size)
  if (size > scratch.byteLength) {
    scratch = Buffer.allocUnsafeSlow(Math.min(maxScratchBytes, Math.max(size, 2 * scratch.byteLength, 1024)))
  }
  return scratch
}

/**
 * The parts as one byte array (strings as UTF-8), valid until the next use of
 * {@link scratch}: a single byte array as it is; several copied into it.
 */
function joined(parts: readonly (string | Uint8Array)[]): Uint8Array {
  const only = parts.length === 1 ? parts[0] : undefined
  if (only instanceof Uint8Array) return only
  let size = 0
  for (const part of parts) size += typeof part === 'string' ? Buffer.byteLength(part) : part.byteLength
  const room = scratchFor(size)
  let offset = 0
  for (const part of parts) {
    if (typeof part === 'string') offset += room.write(part, offset)
    else {
      room.set(part, offset)
      offset += part.byteLength
    }
  }
  return room.subarray(0, size)
}

/**
 * Zeroes what a check put in {@link scratch}, once the check is done: the
 * buffer outlives the request, the body and claims it held do not (a memset,
 * about 2% of an Ed25519 check of the same bytes).
 */
function wipe(used: Uint8Array): void {
  if (used.buffer === scratch.buffer) used.fill(0)
}

/** Whether {@link scratch} holds only zeroes: no body, token or claims left behind (for tests). */
export function scratchIsClear(): boolean {
  return scratch.every((byte) => byte === 0)
}

/** The most bytes base64url text of `length` characters decodes to. */
function decodedSize(length: number): number {
  return Math.ceil((length * 3) / 4)
}

/** A PEM (SPKI) or JWK public key with `node:crypto`: the key object is built once and checked against the algorithm. */
export function signatureKey(
  algorithm: SignatureAlgorithm,
  input: PublicKeyInput,
  ecdsaFormat: EcdsaSignatureFormat,
): SignatureKey {
  let key: KeyObject
  try {
    key =
      typeof input === 'string'
        ? createPublicKey({ key: input, format: 'pem' })
        : createPublicKey({ key: input as NodeJsonWebKey, format: 'jwk' })
  } catch {
    throw new TypeError('not a PEM (SPKI) or JWK public key')
  }
  const shape = keyShape[algorithm]
  if (key.type !== 'public' || key.asymmetricKeyType !== shape.type) {
    throw new TypeError(`not a public ${shape.type} key`)
  }
  if (shape.curve !== undefined && key.asymmetricKeyDetails?.namedCurve !== shape.curve) {
    throw new TypeError('not a P-256 key')
  }
  const options =
    algorithm === 'rsa-pss-sha256'
      ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
      : algorithm === 'ecdsa-p256-sha256'
        ? { key, dsaEncoding: ecdsaFormat === 'raw' ? ('ieee-p1363' as const) : ('der' as const) }
        : { key }
  const hash = algorithm === 'ed25519' ? null : algorithm === 'rsa-pkcs1-sha1' ? 'sha1' : 'sha256'
  return {
    verify(parts: readonly (string | Uint8Array)[], signature: Uint8Array): boolean {
      const data = joined(parts)
      try {
        return verify(hash, data, options, signature)
      } catch {
        return false // a malformed DER signature throws
      } finally {
        wipe(data)
      }
    },
  }
}

/** The certificate's public key as PEM SPKI, with `node:crypto`'s X.509 parser. */
export function certificatePublicKey(pem: string): string {
  if (typeof pem !== 'string' || !pem.trimStart().startsWith('-----BEGIN CERTIFICATE-----')) {
    throw new TypeError('not a PEM certificate')
  }
  let certificate: X509Certificate
  try {
    certificate = new X509Certificate(pem)
  } catch {
    throw new TypeError('not a PEM certificate')
  }
  return certificate.publicKey.export({ format: 'pem', type: 'spki' }) as string
}

/**
 * A JWS key with `node:crypto`: the secret or the `KeyObject` is built once
 * (a `CryptoKey` is turned into one), and each token is one synchronous
 * `createHmac` or `verify`, with no Web Crypto round trip.
 */
export function jwsKey(algorithm: JwsAlgorithm, key: Uint8Array | CryptoKey): JwsKey {
  const bits = algorithm.slice(2)
  const hash = algorithm.startsWith('Ed') ? null : `sha${bits}`
  if (key instanceof Uint8Array) {
    if (!algorithm.startsWith('HS')) throw new TypeError(`${algorithm} takes a public key, not secret bytes`)
    const secret = createSecretKey(Buffer.from(key))
    return {
      verify(signingInput: string, signature: string): boolean {
        const mac = createHmac(hash as string, secret)
          .update(signingInput)
          .digest()
        // The sender's canonical base64url is compared as text; only a mismatch decodes it (jose
        // decodes leniently, so unused trailing bits may differ), which costs a failure, not a success.
        if (safeEqual(mac.toString('base64url'), signature)) return true
        const bytes = Buffer.from(signature, 'base64url')
        return mac.length === bytes.length && timingSafeEqual(mac, bytes)
      },
    }
  }
  if (algorithm.startsWith('HS')) throw new TypeError(`${algorithm} takes secret bytes`)
  const object = KeyObject.from(key)
  const options = algorithm.startsWith('PS')
    ? { key: object, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(bits) / 8 }
    : algorithm.startsWith('ES')
      ? { key: object, dsaEncoding: 'ieee-p1363' as const }
      : { key: object }
  return {
    verify(signingInput: string, signature: string): boolean {
      // Both in the scratch buffer, no allocation: the signing input is ASCII (its characters are checked).
      const room = scratchFor(signingInput.length + decodedSize(signature.length))
      const inputEnd = room.write(signingInput, 0, 'latin1')
      const signatureEnd = inputEnd + room.write(signature, inputEnd, 'base64url')
      try {
        return verify(hash, room.subarray(0, inputEnd), options, room.subarray(inputEnd, signatureEnd))
      } catch {
        return false // a signature of the wrong length for the key throws
      } finally {
        wipe(room.subarray(0, signatureEnd))
      }
    },
  }
}

export function base64UrlText(text: string): string | undefined {
  if (text.length % 4 === 1) return undefined
  const room = scratchFor(decodedSize(text.length))
  const decoded = room.subarray(0, room.write(text, 0, 'base64url'))
  const utf8 = isUtf8(decoded) ? decoded.toString('utf8') : undefined
  wipe(decoded)
  return utf8
}

export function sha256(data: Uint8Array): Uint8Array {
  return createHash('sha256').update(data).digest()
}

export function base64Encode(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}

export function base64Decode(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'))
}
