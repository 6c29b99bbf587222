import { singleHeader } from '../lib/headers.js'
import { hmacSignature } from '../verify/hmac-signature.js'
import { requireOptions } from '../verify/option-checks.js'
import type { Verifier } from '../verify/verifier.js'

/** Options for {@link shopify}. */
export interface ShopifyOptions {
  /** The app's client secret (or the store's webhook signing secret), or several during a rotation. */
  secret: string | readonly string[]
}

/**
 * Verifies Shopify webhooks: `X-Shopify-Hmac-Sha256`, the base64 HMAC-SHA256
 * of the raw body. Shopify signs no timestamp and no id: the signature
 * digest is claimed beside the event id, so a captured delivery re-sent under
 * a fresh id is still a duplicate (two deliveries with byte-identical bodies
 * count as one). The id is `X-Shopify-Event-Id` (else `X-Shopify-Webhook-Id`),
 * the type `X-Shopify-Topic`.
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [shopify({ secret: process.env.SHOPIFY_CLIENT_SECRET! })],
 *   enqueue: async (event) => queue.add(event.type ?? 'shopify', event),
 * })
 * ```
 */
export function shopify(options: ShopifyOptions): Verifier {
  requireOptions(options, 'shopify')
  return hmacSignature({
    name: 'shopify',
    secret: options.secret,
    header: 'x-shopify-hmac-sha256',
    algorithm: 'sha256',
    encoding: 'base64',
    eventId: (ctx) =>
      singleHeader(ctx.headers, 'x-shopify-event-id') ?? singleHeader(ctx.headers, 'x-shopify-webhook-id'),
    eventType: { header: 'x-shopify-topic' },
    keepHeaders: [
      'x-shopify-event-id',
      'x-shopify-webhook-id',
      'x-shopify-topic',
      'x-shopify-shop-domain',
      'x-shopify-triggered-at',
      'x-shopify-api-version',
    ],
  })
}
