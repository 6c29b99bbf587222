import type { KeyObject } from 'node:crypto'
import { SignJWT } from 'jose'
import { loadPrivateKey } from '../keys.js'
import type { SignerOutput, SignInput } from '../types.js'
import { algorithmFor, checkSigningKey } from './jwt-key.js'

const encoder = new TextEncoder()

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
  const alg = options.algorithm ?? (key instanceof Uint8Array ? 'HS256' : algorithmFor(key, name))
  checkSigningKey(alg, key, name)
  const expiresIn = options.expiresInSeconds ?? defaults.expiresInSeconds
  const jwt = new SignJWT({ ...options.claims })
    .setProtectedHeader({ alg, typ: 'JWT', ...(options.keyId === undefined ? {} : { kid: options.keyId }) })
    .setIssuedAt(timestamp)
    .setExpirationTime(timestamp + expiresIn)
  if (options.issuer !== undefined) jwt.setIssuer(options.issuer)
  if (options.audience !== undefined) jwt.setAudience(options.audience)
  if (options.subject !== undefined) jwt.setSubject(options.subject)
  try {
    return await jwt.sign(key)
  } catch (error) {
    // What the checks above do not cover, e.g. an RSA key under 2048 bits; jose's messages hold no key material.
    const option = key instanceof Uint8Array ? 'secret' : 'privateKey'
    throw new TypeError(`${name}: ${option} cannot sign ${alg}: ${(error as Error).message}`, { cause: error })
  }
}

/** A JWT as a bearer token, or bare in a custom header. */
export async function signJwt(input: SignInput): Promise<SignerOutput> {
  const token = await signToken(input, 'jwt', { expiresInSeconds: 300 })
  const header = (input.options.header ?? 'authorization').toLowerCase()
  return { headers: { [header]: header === 'authorization' ? `Bearer ${token}` : token } }
}
