import { concatBytes } from '../../lib/bytes.js'
import type { DigestEncoding, Ed25519PublicKey, HashAlgorithm, HmacKey } from './port.js'

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
