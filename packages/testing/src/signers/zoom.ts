import { hmac, requireSecret } from '../keys.js'
import type { SignerOutput, SignInput } from '../types.js'

/**
 * Zoom: `x-zm-signature: v0=<hex HMAC-SHA256 of "v0:timestamp:body">` with the
 * secret token, and `x-zm-request-timestamp`. Zoom sends no event id.
 */
export function signZoom(input: SignInput): SignerOutput {
  const secret = requireSecret(input.options.secret, 'zoom')
  const { timestamp, bytes } = input
  return {
    headers: {
      'x-zm-request-timestamp': String(timestamp),
      'x-zm-signature': `v0=${hmac('sha256', secret, [`v0:${timestamp}:`, bytes], 'hex')}`,
      'user-agent': 'Zoom Marketplace/1.0a',
    },
  }
}
