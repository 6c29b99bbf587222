import { sign } from 'node:crypto'
import { decodeWhsec, decodeWhsk, hmac, loadPrivateKey } from '../keys.js'
import type { SignerOutput, SignInput } from '../types.js'

const svixUserAgent = 'Svix-Webhooks/1.0 (sender-hookguard; +https://www.svix.com/http-sender/)'

/**
 * Standard Webhooks, and Svix under its own header names: `v1,<base64 HMAC-SHA256>`
 * of `id.timestamp.body` with a `whsec_` secret, or `v1a,<base64 Ed25519>` with
 * a `whsk_` secret key or a private key. Given both, both entries are sent.
 * `brand` names the preset in errors; `prefix` picks the header names
 * (`svix-*` for the senders that deliver through Svix: Svix, Clerk, Resend).
 */
export function signStandardWebhooks(
  input: SignInput,
  brand: string,
  prefix: 'svix' | 'webhook' = brand === 'svix' ? 'svix' : 'webhook',
): SignerOutput {
  const { options, id, timestamp, bytes } = input
  const signed = [`${id}.${timestamp}.`, bytes]
  const signatures: string[] = []
  if (options.secret?.startsWith('whsk_')) {
    signatures.push(`v1a,${ed25519(signed, decodeWhsk(options.secret, brand))}`)
  } else if (options.secret !== undefined) {
    signatures.push(`v1,${hmac('sha256', decodeWhsec(options.secret, brand), signed, 'base64')}`)
  }
  if (options.privateKey !== undefined) {
    const key = loadPrivateKey(options.privateKey, brand)
    if (key.asymmetricKeyType !== 'ed25519') throw new TypeError(`${brand}: privateKey must be an Ed25519 key`)
    signatures.push(`v1a,${ed25519(signed, key)}`)
  }
  if (signatures.length === 0) throw new TypeError(`${brand}: secret (whsec_… or whsk_…) or privateKey is required`)
  return {
    headers: {
      [`${prefix}-id`]: id,
      [`${prefix}-timestamp`]: String(timestamp),
      [`${prefix}-signature`]: signatures.join(' '),
      ...(prefix === 'svix' ? { 'user-agent': svixUserAgent } : {}),
    },
    id,
  }
}

function ed25519(parts: readonly (string | Uint8Array)[], key: import('node:crypto').KeyObject): string {
  const message = Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part)))
  return sign(null, message, key).toString('base64')
}
