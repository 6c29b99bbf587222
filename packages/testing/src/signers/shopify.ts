import { hmac, requireSecret } from '../keys.js'
import type { SignerOutput, SignInput } from '../types.js'

/**
 * Shopify: `X-Shopify-Hmac-Sha256`, the base64 HMAC-SHA256 of the raw body,
 * with the topic (default `orders/create`), shop domain, API version, event
 * and webhook ids, and when it was triggered.
 */
export function signShopify(input: SignInput): SignerOutput {
  const secret = requireSecret(input.options.secret, 'shopify')
  const { bytes, id, timestamp } = input
  return {
    headers: {
      'x-shopify-hmac-sha256': hmac('sha256', secret, [bytes], 'base64'),
      'x-shopify-topic': input.options.type ?? 'orders/create',
      'x-shopify-shop-domain': 'hookguard-test.myshopify.com',
      'x-shopify-api-version': '2025-10',
      'x-shopify-event-id': id,
      'x-shopify-webhook-id': id,
      'x-shopify-triggered-at': new Date(timestamp * 1000).toISOString(),
      'user-agent': 'Shopify-Captain-Hook',
    },
    id,
  }
}
