import { type StandardWebhooksOptions, standardWebhooksAs } from '../verify/standard-webhooks.js'
import type { Verifier } from '../verify/verifier.js'

/**
 * Verifies Resend webhooks: Resend sends them through Svix (`svix-id`, `svix-timestamp`,
 * `svix-signature`), the Standard Webhooks scheme, with the endpoint's `whsec_…`
 * signing secret, so this is `standardWebhooks` under the sender's name. The
 * event id is `svix-id` (signed), the type the payload's `type` (signed), and
 * the timestamp window the guard's (300 s).
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [resend({ secret: process.env.RESEND_WEBHOOK_SECRET! })],
 *   enqueue: async (event) => queue.add(event.type ?? 'resend', event),
 * })
 * ```
 */
export function resend(options: StandardWebhooksOptions): Verifier {
  return { ...standardWebhooksAs(options, 'resend'), name: 'resend' }
}
