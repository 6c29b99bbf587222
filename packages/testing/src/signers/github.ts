import { hmac, requireSecret } from '../keys.js'
import type { SignerOutput, SignInput } from '../types.js'

/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex>` (and the legacy `X-Hub-Signature: sha1=<hex>`)
 * over the raw body, with `X-GitHub-Delivery` (the id) and `X-GitHub-Event` (default `ping`).
 */
export function signGithub(input: SignInput): SignerOutput {
  const secret = requireSecret(input.options.secret, 'github')
  const { bytes, id } = input
  return {
    headers: {
      'x-github-delivery': id,
      'x-github-event': input.options.type ?? 'ping',
      'x-github-hook-id': '1',
      'x-hub-signature': `sha1=${hmac('sha1', secret, [bytes], 'hex')}`,
      'x-hub-signature-256': `sha256=${hmac('sha256', secret, [bytes], 'hex')}`,
      'user-agent': 'GitHub-Hookshot/hookguard',
    },
    id,
  }
}
