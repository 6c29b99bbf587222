import { createHash, createHmac, createSecretKey } from 'node:crypto'
import type { DigestEncoding, HashAlgorithm, HmacKey } from './port.js'

/** HMAC with `node:crypto`: synchronous, no copies of the body. */
export function hmacKey(algorithm: HashAlgorithm, secret: Uint8Array): HmacKey {
  const key = createSecretKey(secret)
  return {
    digest(parts: readonly (string | Uint8Array)[], encoding: DigestEncoding): string {
      const mac = createHmac(algorithm, key)
      for (const part of parts) mac.update(part)
      return mac.digest(encoding)
    },
  }
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
