import type { Keys } from '../verify/key-resolver.js'
import { mapKeys } from '../verify/map-keys.js'
import { nonEmptyString, requireOptions } from '../verify/option-checks.js'
import { standardWebhooksAs } from '../verify/standard-webhooks.js'
import type { Verifier } from '../verify/verifier.js'

/** Options for {@link supabaseAuthHook}. */
export interface SupabaseAuthHookOptions {
  /**
   * The hook's secret as the dashboard shows it (`v1,whsec_…`), or several
   * during a rotation (each may carry its window, `{ key, notBefore, notAfter }`),
   * or a resolver (`keyResolver`, or a plain function) that looks the tenant's
   * secrets up.
   */
  secret: Keys<string>
  /** Allowed clock difference in seconds, both directions. Default: the guard's (300). */
  toleranceSeconds?: number
}

/**
 * Verifies Supabase Auth hooks sent over HTTP (send-email, send-SMS, …):
 * Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`).
 * Supabase shows the secret as `v1,whsec_<base64>`; the `v1,` is dropped, as
 * Supabase's own examples do. The event id is `webhook-id` (signed); a hook's
 * payload has no `type` (each hook has its own endpoint). Timestamp window:
 * the guard's.
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [supabaseAuthHook({ secret: process.env.SEND_EMAIL_HOOK_SECRET! })],
 *   enqueue: async (event) => queue.add('send-email', event),
 * })
 * ```
 */
export function supabaseAuthHook(options: SupabaseAuthHookOptions): Verifier {
  const where = 'supabaseAuthHook'
  requireOptions(options, where)
  const secrets = mapKeys(options.secret, where, 'secret', (secret, label) => {
    const text = nonEmptyString(secret, where, label)
    return text.startsWith('v1,') ? text.slice(3) : text
  })
  const tolerance = options.toleranceSeconds === undefined ? {} : { toleranceSeconds: options.toleranceSeconds }
  return { ...standardWebhooksAs({ secret: secrets, ...tolerance }, where), name: 'supabase-auth-hook' }
}
