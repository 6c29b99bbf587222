import { createHash, randomBytes } from 'node:crypto'
import { SignJWT } from 'jose'
import { requireSecret } from '../keys.js'
import type { SignerOutput, SignInput } from '../types.js'

/**
 * Upstash QStash: an HS256 JWT in `Upstash-Signature`, signed with the current
 * signing key: issuer `Upstash`, `sub` the destination URL, `body` the
 * base64url SHA-256 of the raw body, five minutes to `exp`. The id is
 * `Upstash-Message-Id`; `Upstash-Retried` counts the retries.
 */
export async function signQStash(input: SignInput): Promise<SignerOutput> {
  const secret = requireSecret(input.options.secret, 'qstash')
  const url = input.options.url
  if (typeof url !== 'string' || url.length === 0) throw new TypeError('qstash: url is required (QStash signs it)')
  const { timestamp, bytes, id, attempt } = input
  const token = await new SignJWT({ body: createHash('sha256').update(bytes).digest('base64url') })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer('Upstash')
    .setSubject(url)
    .setIssuedAt(timestamp)
    .setNotBefore(timestamp)
    .setExpirationTime(timestamp + 300)
    .setJti(`jwt_${randomBytes(12).toString('hex')}`)
    .sign(new TextEncoder().encode(secret))
  return {
    headers: {
      'upstash-signature': token,
      'upstash-message-id': id,
      'upstash-retried': String(attempt),
      'user-agent': 'Upstash-QStash',
    },
    id,
  }
}
