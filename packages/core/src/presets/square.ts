import { hmacKeys, hmacSignatureWith } from '../verify/hmac-signature.js'
import type { Keys } from '../verify/key-resolver.js'
import { optionError, requireOptions } from '../verify/option-checks.js'
import type { Verifier } from '../verify/verifier.js'

/** Options for {@link square}. */
export interface SquareOptions {
  /**
   * The webhook subscription's signature key, or several during a rotation,
   * or a resolver that looks the request's tenant's keys up.
   */
  signatureKey: Keys<string>
  /**
   * The notification URL exactly as the subscription names it in Square's
   * Developer Console (e.g. `https://example.com/hooks/square`): Square signs
   * it, not the URL the request arrived at. With one subscription per tenant,
   * `{tenant}` stands for the tenant the request names
   * (`https://example.com/hooks/square/{tenant}`, the guard's `tenant: { param: 'tenant' }`).
   */
  notificationUrl: string
}

/**
 * Verifies Square webhooks: `X-Square-HmacSha256-Signature`, the base64
 * HMAC-SHA256, keyed with the subscription's signature key, of the
 * notification URL followed by the raw body (as Square's
 * `WebhooksHelper.verifySignature`). The id is the payload's `event_id`, the
 * type its `type`, both signed.
 *
 * Square signs no timestamp: a captured delivery stays valid forever, so the
 * signature digest is claimed beside the event id, and a re-sent delivery is
 * a duplicate for the dedupe TTL. `Square-Retry-Number` and the first
 * delivery's time are kept on the event.
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [
 *     square({
 *       signatureKey: process.env.SQUARE_SIGNATURE_KEY!,
 *       notificationUrl: 'https://example.com/hooks/square',
 *     }),
 *   ],
 *   enqueue: async (event) => queue.add(event.type ?? 'square', event),
 * })
 * ```
 */
export function square(options: SquareOptions): Verifier {
  requireOptions(options, 'square')
  const url = options.notificationUrl
  // The URL is literal text of the template (but for {tenant}): no other placeholder, no surrounding spaces.
  if (typeof url !== 'string' || !/^https?:\/\/[^\s{}]+$/i.test(url.replaceAll('{tenant}', 'tenant'))) {
    throw optionError('square', 'notificationUrl', "an absolute http(s) URL, e.g. 'https://example.com/hooks/square'")
  }
  return hmacSignatureWith(hmacKeys(options.signatureKey, 'sha256', 'square', 'signatureKey'), {
    name: 'square',
    header: 'x-square-hmacsha256-signature',
    encoding: 'base64',
    signedContent: `${url}{body}`,
    eventId: { payload: 'event_id' },
    eventType: { payload: 'type' },
    keepHeaders: ['square-retry-number', 'square-retry-reason', 'square-initial-delivery-timestamp'],
  })
}
