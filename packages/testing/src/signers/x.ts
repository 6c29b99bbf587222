import { hmac, requireSecret } from '../keys.js'
import type { SignerOutput, SignInput } from '../types.js'

/** X (Twitter) Account Activity: `x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256 of the body>` with the consumer secret. No event id. */
export function signX(input: SignInput): SignerOutput {
  const secret = requireSecret(input.options.secret, 'x')
  return { headers: { 'x-twitter-webhooks-signature': `sha256=${hmac('sha256', secret, [input.bytes], 'base64')}` } }
}
