import { type StandardWebhooksOptions, standardWebhooksAs } from '../verify/standard-webhooks.js'
import type { Verifier } from '../verify/verifier.js'

/**
 * Verifies Svix webhooks (`svix-id`, `svix-timestamp`, `svix-signature`):
 * Svix is the Standard Webhooks scheme, so this is `standardWebhooks` under
 * the sender's name. `secret` checks `v1` (HMAC) signatures, `publicKey`
 * (`whpk_…`) checks `v1a` (Ed25519) ones.
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [svix({ secret: process.env.SVIX_WEBHOOK_SECRET! })],
 *   enqueue: async (event) => queue.add(event),
 * })
 * ```
 */
export function svix(options: StandardWebhooksOptions): Verifier {
  return { ...standardWebhooksAs(options, 'svix'), name: 'svix' }
}
