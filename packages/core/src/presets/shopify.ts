import { carries } from '../admit/credential-check.js'
import type { EventFieldContext } from '../event/event-field.js'
import { singleHeader } from '../lib/headers.js'
import { hmacSignature } from '../verify/hmac-signature.js'
import type { Keys } from '../verify/key-resolver.js'
import { requireOptions } from '../verify/option-checks.js'
import type { Verifier, VerifyContext } from '../verify/verifier.js'

/** Options for {@link shopify}. */
export interface ShopifyOptions {
  /** The app's client secret (or the store's webhook signing secret), or several during a rotation. */
  secret: Keys<string>
}

/** Shopify's headers, under the new names (`shopify-*`) and the old ones (`x-shopify-*`). */
const names = ['event-id', 'webhook-id', 'topic', 'shop-domain', 'triggered-at', 'api-version']
const keepHeaders = names.flatMap((name) => [`shopify-${name}`, `x-shopify-${name}`])

/** The first of these headers that arrived, new name first. */
function firstHeader(ctx: EventFieldContext, ...headers: string[]): string | undefined {
  for (const header of headers) {
    const value = singleHeader(ctx.headers, header)
    if (value !== undefined) return value
  }
  return undefined
}

/**
 * Verifies Shopify webhooks: `Shopify-Hmac-Sha256` (or, as Shopify sent it
 * before, `X-Shopify-Hmac-Sha256`), the base64 HMAC-SHA256 of the raw body.
 * When both arrive, the new name is the one checked. Shopify signs no
 * timestamp and no id: the signature digest is claimed beside the event id,
 * so a captured delivery re-sent under a fresh id is still a duplicate (two
 * deliveries with byte-identical bodies count as one). The id is
 * `Shopify-Event-Id` (else `Shopify-Webhook-Id`), the type `Shopify-Topic`,
 * each under either name.
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
  const under = (header: string) =>
    hmacSignature({ name: 'shopify', secret: options.secret, header, algorithm: 'sha256', encoding: 'base64' })
  const current = under('shopify-hmac-sha256')
  const legacy = under('x-shopify-hmac-sha256')
  return {
    name: 'shopify',
    keepHeaders,
    credentialHeaders: ['shopify-hmac-sha256', 'x-shopify-hmac-sha256'],
    missingCredentialCode: 'missing_signature',
    signs: { body: true, headers: [] },
    eventId: (ctx) =>
      firstHeader(ctx, 'shopify-event-id', 'x-shopify-event-id', 'shopify-webhook-id', 'x-shopify-webhook-id'),
    eventType: (ctx) => firstHeader(ctx, 'shopify-topic', 'x-shopify-topic'),
    verify: (ctx: VerifyContext) =>
      carries(ctx.headers, 'shopify-hmac-sha256') ? current.verify(ctx) : legacy.verify(ctx),
  }
}
