import type { StripeEventType } from './stripe-event-types.js'

export type { StripeEventType } from './stripe-event-types.js'

/**
 * A Stripe event as its webhook delivers it (an API snapshot event), with
 * `data.object` left open. For Stripe's full object types, map the `stripe`
 * package's own union instead: `{ [E in Stripe.Event as E['type']]: E }`.
 */
export interface StripeEventPayload<Type extends string = StripeEventType> {
  id: string
  object: 'event'
  type: Type
  api_version: string | null
  /** Unix seconds. */
  created: number
  livemode: boolean
  pending_webhooks: number
  account?: string
  context?: string
  request: { id: string | null; idempotency_key: string | null } | null
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> }
}

/**
 * Stripe's event types mapped to their payloads, for `createGuard<StripeEvents>`:
 * `event.type` autocompletes every Stripe event type and narrows `event.payload`.
 * A type map is a promise, not a check: add `allowTypes` (or `events`
 * schemas) for the types you handle, so the others are answered 200 `ignored`.
 *
 * @example
 * ```ts
 * import { createGuard, stripe } from '@hookguard/core'
 * import type { StripeEvents } from '@hookguard/core/types/stripe'
 *
 * const guard = createGuard<StripeEvents>({
 *   verify: [stripe({ secret: process.env.STRIPE_WEBHOOK_SECRET! })],
 *   allowTypes: ['checkout.session.completed', 'invoice.paid'],
 *   enqueue: async (event) => {
 *     if (event.type === 'invoice.paid') await queue.add('invoice', event.payload.data.object)
 *   },
 * })
 * ```
 */
export type StripeEvents = { [Type in StripeEventType]: StripeEventPayload<Type> }
