import { hmac, requireSecret } from '../keys.js'
import type { SignerOutput, SignInput } from '../types.js'

/**
 * Meta (Facebook, Instagram, WhatsApp): `X-Hub-Signature-256: sha256=<hex>`,
 * an HMAC-SHA256 of the raw body with the app secret. Meta sends no event id.
 */
export function signMeta(input: SignInput): SignerOutput {
  const secret = requireSecret(input.options.secret, 'meta')
  return {
    headers: {
      'x-hub-signature-256': `sha256=${hmac('sha256', secret, [input.bytes], 'hex')}`,
      'user-agent': 'facebookexternalua',
    },
  }
}
