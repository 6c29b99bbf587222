import { type StandardWebhooksOptions, standardWebhooksAs } from '../verify/standard-webhooks.js'
import type { Verifier } from '../verify/verifier.js'

/**
 * Verifies Liveblocks webhooks: Standard Webhooks (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature`) with the webhook's `whsec_…`
 * signing secret, so this is `standardWebhooks` under the sender's name. The
 * event id is `webhook-id` (signed), the type the payload's `type`
 * (`storageUpdated`, `userEntered`, …). Timestamp window: the guard's.
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [liveblocks({ secret: process.env.LIVEBLOCKS_WEBHOOK_SECRET! })],
 *   enqueue: async (event) => queue.add(event.type ?? 'liveblocks', event),
 * })
 * ```
 */
export function liveblocks(options: StandardWebhooksOptions): Verifier {
  return { ...standardWebhooksAs(options, 'liveblocks'), name: 'liveblocks' }
}
