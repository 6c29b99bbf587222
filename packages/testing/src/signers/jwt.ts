import type { KeyObject } from 'node:crypto'
import { SignJWT } from 'jose'
import { loadPrivateKey } from '../keys.js'
import type { SignerOutput, SignInput } from '../types.js'

const encoder = new TextEncoder()

/** The usual algorithm for a private key's type. */
function algorithmFor(key: KeyObject): string {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return 'RS256'
    case 'rsa-pss':
      return 'PS256'
    case 'ec':
      return (
        { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' }[key.asymmetricKeyDetails?.namedCurve ?? ''] ?? 'ES256'
      )
    case 'ed25519':
      return 'EdDSA'
    default:
      throw new TypeError(`jwt: no algorithm for a ${key.asymmetricKeyType} key: set algorithm`)
  }
}

/** Signs a JWT (HS256 with `secret`, or a private key) with `iat`, `exp` and the given claims. */
export async function signToken(
  input: SignInput,
  name: string,
  defaults: { expiresInSeconds: number },
): Promise<string> {
  const { options, timestamp } = input
  if ((options.secret === undefined) === (options.privateKey === undefined)) {
    throw new TypeError(`${name}: give exactly one of secret (HMAC) or privateKey`)
  }
  const key: Uint8Array | KeyObject =
    options.secret !== undefined ? encoder.encode(options.secret) : loadPrivateKey(options.privateKey!, name)
  const alg = options.algorithm ?? (key instanceof Uint8Array ? 'HS256' : algorithmFor(key))
  const expiresIn = options.expiresInSeconds ?? defaults.expiresInSeconds
  const jwt = new SignJWT({ ...options.claims })
    .setProtectedHeader({ alg, typ: 'JWT', ...(options.keyId === undefined ? {} : { kid: options.keyId }) })
    .setIssuedAt(timestamp)
    .setExpirationTime(timestamp + expiresIn)
  if (options.issuer !== undefined) jwt.setIssuer(options.issuer)
  if (options.audience !== undefined) jwt.setAudience(options.audience)
  if (options.subject !== undefined) jwt.setSubject(options.subject)
  return jwt.sign(key)
}

/** A JWT as a bearer token, or bare in a custom header. */
export async function signJwt(input: SignInput): Promise<SignerOutput> {
  const token = await signToken(input, 'jwt', { expiresInSeconds: 300 })
  const header = (input.options.header ?? 'authorization').toLowerCase()
  return { headers: { [header]: header === 'authorization' ? `Bearer ${token}` : token } }
}
