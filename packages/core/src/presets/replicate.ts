import { type StandardWebhooksOptions, standardWebhooksAs } from '../verify/standard-webhooks.js'
import type { Verifier } from '../verify/verifier.js'

/**
 * Verifies Replicate webhooks: Standard Webhooks (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature`) with the account's `whsec_…`
 * secret (`GET /v1/webhooks/default/secret`), so this is `standardWebhooks`
 * under the sender's name. The event id is `webhook-id` (signed; Replicate
 * keeps it across retries); the payload is the prediction, which has no
 * `type` (its `status` says what happened). Timestamp window: the guard's.
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [replicate({ secret: process.env.REPLICATE_WEBHOOK_SECRET! })],
 *   eventType: { payload: 'status' },
 *   enqueue: async (event) => queue.add('replicate', event),
 * })
 * ```
 */
export function replicate(options: StandardWebhooksOptions): Verifier {
  return { ...standardWebhooksAs(options, 'replicate'), name: 'replicate' }
}
