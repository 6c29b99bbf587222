import { concatBytes } from '../../lib/bytes.js'
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

const subtleName: Record<HashAlgorithm, string> = { sha1: 'SHA-1', sha256: 'SHA-256', sha512: 'SHA-512' }
const encoder = new TextEncoder()

function concat(parts: readonly (string | Uint8Array)[]): Uint8Array {
  return concatBytes(parts.map((part) => (typeof part === 'string' ? encoder.encode(part) : part)))
}

function hex(bytes: Uint8Array): string {
  let out = ''
  for (const b of bytes) out += b.toString(16).padStart(2, '0')
  return out
}

/** HMAC with Web Crypto, for runtimes without `node:crypto`. The key is imported once, lazily. */
export function hmacKey(algorithm: HashAlgorithm, secret: Uint8Array): HmacKey {
  let key: Promise<CryptoKey> | undefined
  return {
    async digest(parts: readonly (string | Uint8Array)[], encoding: DigestEncoding): Promise<string> {
      key ??= crypto.subtle.importKey(
        'raw',
        secret as BufferSource,
        { name: 'HMAC', hash: subtleName[algorithm] },
        false,
        ['sign'],
      )
      const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await key, concat(parts) as BufferSource))
      return encoding === 'hex' ? hex(mac) : base64Encode(mac)
    },
  }
}

/** Ed25519 with Web Crypto. The key is imported once, lazily (Web Crypto has no synchronous import). */
export function ed25519PublicKey(raw: Uint8Array): Ed25519PublicKey {
  if (!(raw instanceof Uint8Array) || raw.byteLength !== 32) throw new TypeError('an Ed25519 public key is 32 bytes')
  const bytes = raw.slice()
  let key: Promise<CryptoKey> | undefined
  return {
    async verify(parts: readonly (string | Uint8Array)[], signature: Uint8Array): Promise<boolean> {
      if (signature.byteLength !== 64) return false
      key ??= crypto.subtle.importKey('raw', bytes as BufferSource, { name: 'Ed25519' }, false, ['verify'])
      return crypto.subtle.verify('Ed25519', await key, signature as BufferSource, concat(parts) as BufferSource)
    },
  }
}

/** Web Crypto's names for each algorithm: to import the key, and to verify with it. */
const subtleSignature: Record<
  SignatureAlgorithm,
  {
    importAs: AlgorithmIdentifier | EcKeyImportParams | RsaHashedImportParams
    verifyAs: AlgorithmIdentifier | EcdsaParams | RsaPssParams
  }
> = {
  ed25519: { importAs: { name: 'Ed25519' }, verifyAs: { name: 'Ed25519' } },
  'ecdsa-p256-sha256': {
    importAs: { name: 'ECDSA', namedCurve: 'P-256' },
    verifyAs: { name: 'ECDSA', hash: 'SHA-256' },
  },
  'rsa-pkcs1-sha256': {
    importAs: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    verifyAs: { name: 'RSASSA-PKCS1-v1_5' },
  },
  'rsa-pss-sha256': { importAs: { name: 'RSA-PSS', hash: 'SHA-256' }, verifyAs: { name: 'RSA-PSS', saltLength: 32 } },
  'rsa-pkcs1-sha1': {
    importAs: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-1' },
    verifyAs: { name: 'RSASSA-PKCS1-v1_5' },
  },
}

const pemPattern = /^-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\s]+)-----END PUBLIC KEY-----$/

/** The DER SubjectPublicKeyInfo inside a PEM public key. */
function spkiOf(pem: string): Uint8Array {
  const match = pemPattern.exec(pem.trim())
  if (!match) throw new TypeError('not a PEM (SPKI) or JWK public key')
  return base64Decode((match[1] as string).replace(/\s+/g, ''))
}

/** One DER INTEGER of a P-256 signature as 32 bytes, at `at`; undefined when malformed. */
function derInteger(der: Uint8Array, at: number): { bytes: Uint8Array; next: number } | undefined {
  const length = der[at + 1]
  if (der[at] !== 0x02 || length === undefined || length === 0 || length > 33) return undefined
  let value = der.subarray(at + 2, at + 2 + length)
  if (value.length !== length) return undefined
  if (value.length === 33) {
    if (value[0] !== 0) return undefined
    value = value.subarray(1)
  }
  const bytes = new Uint8Array(32)
  bytes.set(value, 32 - value.length)
  return { bytes, next: at + 2 + length }
}

/** A DER ECDSA P-256 signature as raw `r || s` (what Web Crypto verifies); undefined when malformed. */
function derToRaw(der: Uint8Array): Uint8Array | undefined {
  if (der[0] !== 0x30 || der[1] !== der.length - 2) return undefined
  const r = derInteger(der, 2)
  const s = r && derInteger(der, r.next)
  if (!r || !s || s.next !== der.length) return undefined
  return concatBytes([r.bytes, s.bytes])
}

/**
 * A PEM (SPKI) or JWK public key with Web Crypto. The import starts at once
 * (Web Crypto imports asynchronously); a key it refuses fails every verification.
 */
export function signatureKey(
  algorithm: SignatureAlgorithm,
  input: PublicKeyInput,
  ecdsaFormat: EcdsaSignatureFormat,
): SignatureKey {
  const { importAs, verifyAs } = subtleSignature[algorithm]
  let key: Promise<CryptoKey>
  if (typeof input === 'string') {
    key = crypto.subtle.importKey('spki', spkiOf(input) as BufferSource, importAs, false, ['verify'])
  } else if (input && typeof input === 'object') {
    key = crypto.subtle.importKey('jwk', input, importAs, false, ['verify'])
  } else throw new TypeError('not a PEM (SPKI) or JWK public key')
  key.catch(() => {}) // surfaced by verify, not as an unhandled rejection
  const derEncoded = algorithm === 'ecdsa-p256-sha256' && ecdsaFormat === 'der'
  return {
    async verify(parts: readonly (string | Uint8Array)[], signature: Uint8Array): Promise<boolean> {
      const bytes = derEncoded ? derToRaw(signature) : signature
      if (bytes === undefined) return false
      return crypto.subtle.verify(verifyAs, await key, bytes as BufferSource, concat(parts) as BufferSource)
    },
  }
}

const certificatePattern = /^-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----$/

/** One DER element at `at`: its tag, where its content starts and where it ends; undefined when it runs past `end`. */
function derElement(
  der: Uint8Array,
  at: number,
  end: number,
): { tag: number; at: number; start: number; next: number } | undefined {
  const tag = der[at]
  let length = der[at + 1]
  if (tag === undefined || length === undefined) return undefined
  let start = at + 2
  if (length > 0x80) {
    const count = length - 0x80
    if (count > 3) return undefined
    length = 0
    for (let i = 0; i < count; i++) length = length * 256 + (der[start + i] ?? Number.NaN)
    start += count
  } else if (length === 0x80) return undefined // indefinite length is not DER
  const next = start + length
  return Number.isNaN(next) || next > end ? undefined : { tag, at, start, next }
}

/**
 * The SubjectPublicKeyInfo of a DER certificate (RFC 5280): Certificate ::=
 * SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL, serialNumber,
 * signature, issuer, validity, subject, subjectPublicKeyInfo, … }, … }.
 */
function spkiOfCertificate(der: Uint8Array): Uint8Array | undefined {
  const certificate = derElement(der, 0, der.length)
  if (certificate?.tag !== 0x30) return undefined
  const tbs = derElement(der, certificate.start, certificate.next)
  if (tbs?.tag !== 0x30) return undefined
  let field = derElement(der, tbs.start, tbs.next)
  if (field?.tag === 0xa0) field = derElement(der, field.next, tbs.next) // the explicit version
  // serialNumber, signature, issuer, validity, subject: five fields before the key.
  for (let i = 0; i < 5 && field !== undefined; i++) field = derElement(der, field.next, tbs.next)
  return field?.tag === 0x30 ? der.subarray(field.at, field.next) : undefined
}

/** The certificate's public key as PEM SPKI, found by walking its DER (Web Crypto parses no X.509). */
export function certificatePublicKey(pem: string): string {
  const match = typeof pem === 'string' ? certificatePattern.exec(pem.trim()) : null
  if (!match) throw new TypeError('not a PEM certificate')
  let der: Uint8Array
  try {
    der = base64Decode((match[1] as string).replace(/\s+/g, ''))
  } catch {
    throw new TypeError('not a PEM certificate')
  }
  const spki = spkiOfCertificate(der)
  if (spki === undefined) throw new TypeError('not a PEM certificate')
  const lines = base64Encode(spki).match(/.{1,64}/g) as string[]
  return `-----BEGIN PUBLIC KEY-----\n${lines.join('\n')}\n-----END PUBLIC KEY-----\n`
}

/** Web Crypto's verify parameters of each JWS algorithm family. */
function jwsParams(algorithm: JwsAlgorithm): AlgorithmIdentifier | RsaPssParams | EcdsaParams {
  const bits = Number(algorithm.slice(2))
  if (algorithm.startsWith('RS')) return { name: 'RSASSA-PKCS1-v1_5' }
  if (algorithm.startsWith('PS')) return { name: 'RSA-PSS', saltLength: bits / 8 }
  if (algorithm.startsWith('ES')) return { name: 'ECDSA', hash: `SHA-${bits}` }
  return { name: 'Ed25519' }
}

/** A JWS key with Web Crypto: an HMAC secret is imported once, lazily; a `CryptoKey` is used as it is. */
export function jwsKey(algorithm: JwsAlgorithm, key: Uint8Array | CryptoKey): JwsKey {
  if (key instanceof Uint8Array) {
    if (!algorithm.startsWith('HS')) throw new TypeError(`${algorithm} takes a public key, not secret bytes`)
    const bytes = key.slice()
    let secret: Promise<CryptoKey> | undefined
    return {
      async verify(signingInput: string, signature: string): Promise<boolean> {
        secret ??= crypto.subtle.importKey(
          'raw',
          bytes as BufferSource,
          { name: 'HMAC', hash: `SHA-${algorithm.slice(2)}` },
          false,
          ['verify'],
        )
        const data = encoder.encode(signingInput)
        const mac = base64UrlBytes(signature)
        return crypto.subtle.verify('HMAC', await secret, mac as BufferSource, data as BufferSource)
      },
    }
  }
  if (algorithm.startsWith('HS')) throw new TypeError(`${algorithm} takes secret bytes`)
  const params = jwsParams(algorithm)
  return {
    async verify(signingInput: string, signature: string): Promise<boolean> {
      const data = encoder.encode(signingInput)
      try {
        return await crypto.subtle.verify(params, key, base64UrlBytes(signature) as BufferSource, data as BufferSource)
      } catch {
        return false
      }
    },
  }
}

const strictDecoder = new TextDecoder('utf-8', { fatal: true })

function base64UrlBytes(text: string): Uint8Array {
  return base64Decode(text.replace(/-/g, '+').replace(/_/g, '/'))
}

export function base64UrlText(text: string): string | undefined {
  if (text.length % 4 === 1) return undefined
  try {
    return strictDecoder.decode(base64UrlBytes(text))
  } catch {
    return undefined
  }
}

export async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', data as BufferSource))
}

export function base64Encode(bytes: Uint8Array): string {
  let binary = ''
  const step = 0x8000
  for (let i = 0; i < bytes.length; i += step) {
    binary += String.fromCharCode(...bytes.subarray(i, i + step))
  }
  return btoa(binary)
}

export function base64Decode(text: string): Uint8Array {
  const binary = atob(text)
  const out = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i)
  return out
}
