import type { SignerOutput, SignInput } from '../types.js'
import { signStandardWebhooks } from './standard-webhooks.js'

/**
 * Polar: Standard Webhooks (`webhook-*`), keyed with the secret's UTF-8 bytes,
 * as `@polar-sh/sdk` keys it (it base64-encodes the secret for the library).
 */
export function signPolar(input: SignInput): SignerOutput {
  const secret = input.options.secret
  if (typeof secret !== 'string' || secret === '') throw new TypeError('polar: secret is required')
  const key = Buffer.from(secret, 'utf8').toString('base64')
  return signStandardWebhooks({ ...input, options: { ...input.options, secret: key } }, 'polar', 'webhook')
}

/** Supabase Auth hooks: Standard Webhooks (`webhook-*`), the secret as the dashboard shows it (`v1,whsec_…`). */
export function signSupabaseAuthHook(input: SignInput): SignerOutput {
  const secret = input.options.secret
  if (typeof secret !== 'string' || secret === '') throw new TypeError('supabase-auth-hook: secret is required')
  const bare = secret.startsWith('v1,') ? secret.slice(3) : secret
  return signStandardWebhooks(
    { ...input, options: { ...input.options, secret: bare } },
    'supabase-auth-hook',
    'webhook',
  )
}
