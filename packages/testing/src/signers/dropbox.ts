import { hmac, requireSecret } from '../keys.js'
import type { SignerOutput, SignInput } from '../types.js'

/** Dropbox: `X-Dropbox-Signature`, the hex HMAC-SHA256 of the raw body with the app secret. No event id. */
export function signDropbox(input: SignInput): SignerOutput {
  const secret = requireSecret(input.options.secret, 'dropbox')
  return {
    headers: {
      'x-dropbox-signature': hmac('sha256', secret, [input.bytes], 'hex'),
      'user-agent': 'DropboxWebhooks/1.0',
    },
  }
}
