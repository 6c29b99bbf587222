import { createHmac, createPrivateKey, type KeyObject } from 'node:crypto'
import type { PrivateKeyInput } from './types.js'

const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
/** PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows. */
const ed25519Pkcs8Prefix = Buffer.from('302e020100300506032b657004220420', 'hex')

/** A required option, or a `TypeError` naming it. */
export function requireSecret(secret: string | undefined, preset: string): string {
  if (typeof secret !== 'string' || secret.length === 0) throw new TypeError(`${preset}: secret is required`)
  return secret
}

/** Decodes a Standard Webhooks secret as the core does: base64, optionally prefixed with `whsec_`. */
export function decodeWhsec(secret: string, preset: string): Buffer {
  const bare = secret.startsWith('whsec_') ? secret.slice(6) : secret
  const encoded = bare.padEnd(Math.ceil(bare.length / 4) * 4, '=') // unpadded base64 too, as the core reads it
  if (encoded.length === 0 || !base64Pattern.test(encoded)) {
    throw new TypeError(`${preset}: secret must be base64, optionally prefixed with whsec_`)
  }
  return Buffer.from(encoded, 'base64')
}

/** An Ed25519 private key from `whsk_` + base64 of the 32-byte seed, or of the 64-byte seed and public key. */
export function decodeWhsk(secret: string, preset: string): KeyObject {
  const encoded = secret.slice(5)
  const raw = base64Pattern.test(encoded) ? Buffer.from(encoded, 'base64') : Buffer.alloc(0)
  if (raw.length !== 32 && raw.length !== 64) {
    throw new TypeError(`${preset}: a whsk_ secret must be base64 of a 32-byte Ed25519 seed (or 64-byte secret key)`)
  }
  const der = Buffer.concat([ed25519Pkcs8Prefix, raw.subarray(0, 32)])
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
}

/** A private key from PEM, a JWK or a `KeyObject` (a public or secret `KeyObject` is a `TypeError`). */
export function loadPrivateKey(key: PrivateKeyInput, preset: string): KeyObject {
  const loaded = parsePrivateKey(key, preset)
  if (loaded.type !== 'private')
    throw new TypeError(`${preset}: privateKey must be a private key, not a ${loaded.type} one`)
  return loaded
}

function parsePrivateKey(key: PrivateKeyInput, preset: string): KeyObject {
  try {
    if (typeof key === 'string') return createPrivateKey(key)
    if ('asymmetricKeyType' in key || 'symmetricKeySize' in key) return key as KeyObject
    return createPrivateKey({ key: key as import('node:crypto').JsonWebKey, format: 'jwk' })
  } catch {
    throw new TypeError(`${preset}: privateKey must be a PEM (PKCS#8) private key, a private JWK or a KeyObject`)
  }
}

/** The HMAC of the parts, encoded. */
export function hmac(
  algorithm: 'sha1' | 'sha256',
  key: string | Uint8Array,
  parts: readonly (string | Uint8Array)[],
  encoding: 'hex' | 'base64',
): string {
  const mac = createHmac(algorithm, key)
  for (const part of parts) mac.update(part)
  return mac.digest(encoding)
}
