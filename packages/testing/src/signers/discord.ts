import { sign } from 'node:crypto'
import { loadPrivateKey } from '../keys.js'
import type { SignerOutput, SignInput } from '../types.js'

/**
 * Discord interactions: `X-Signature-Ed25519`, the hex Ed25519 signature of
 * `X-Signature-Timestamp` followed by the body, with the application's key
 * pair (`privateKey`, or `secret` holding its PEM). The id is the payload's `id`.
 */
export function signDiscord(input: SignInput): SignerOutput {
  const key = input.options.privateKey ?? input.options.secret
  if (key === undefined || key === '') throw new TypeError('discord: privateKey is required')
  const privateKey = loadPrivateKey(key, 'discord')
  const timestamp = String(input.timestamp)
  return {
    headers: {
      'x-signature-timestamp': timestamp,
      'x-signature-ed25519': sign(null, Buffer.concat([Buffer.from(timestamp), input.bytes]), privateKey).toString(
        'hex',
      ),
      'user-agent': 'Discord-Interactions/1.0 (+https://discord.com)',
    },
  }
}
