import { hmacKeys, hmacSignatureWith } from '../verify/hmac-signature.js'
import type { Keys } from '../verify/key-resolver.js'
import { requireOptions } from '../verify/option-checks.js'
import type { Verifier, VerifyContext } from '../verify/verifier.js'
import { withBodyDigestId } from './body-digest-id.js'

/** Options for {@link hubspot}. */
export interface HubspotOptions {
  /** The app's client secret, or several during a rotation, or a resolver that looks the request's tenant's secrets up. */
  clientSecret: Keys<string>
  /**
   * The public base URL HubSpot calls, e.g. `https://example.com`: joined with
   * the request's path and raw query, it must give the webhook URL of the
   * app. Without it, the origin comes from the headers of a proxy in the
   * guard's `trustProxy` (and `createGuard` refuses to start without one).
   */
  publicUrl?: string
}

/** The escapes HubSpot undoes in the URI before signing it (its v3 documentation's table). */
const decoded: Readonly<Record<string, string>> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
}
const escapes = /%(?:3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi
const decode = (text: string | undefined) =>
  text?.replace(escapes, (sequence) => decoded[sequence.toUpperCase()] as string)

/** The one `subscriptionType` of every event in the batch, or `undefined` when they differ. */
function batchType(payload: unknown): string | undefined {
  if (!Array.isArray(payload) || payload.length === 0) return undefined
  const types = new Set(payload.map((event) => (event as { subscriptionType?: unknown })?.subscriptionType))
  const [type] = types
  return types.size === 1 && typeof type === 'string' ? type : undefined
}

/**
 * Verifies HubSpot webhooks, signature v3: `X-HubSpot-Signature-v3`, the
 * base64 HMAC-SHA256, keyed with the app's client secret, of the method, the
 * full request URI (with the escapes HubSpot's documentation lists undone),
 * the raw body and `X-HubSpot-Request-Timestamp` (Unix milliseconds), which
 * must be within 5 minutes of the guard's clock.
 *
 * HubSpot sends a batch of up to 100 events in one JSON array, with no id for
 * the batch: the event id is the SHA-256 of the body (a retry sends the same
 * body; each event's own `eventId` is in the payload). The type is the
 * events' `subscriptionType` when they all share one, else `null`. Both are
 * signed (the body is).
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [hubspot({ clientSecret: process.env.HUBSPOT_CLIENT_SECRET!, publicUrl: 'https://example.com' })],
 *   enqueue: async (event) => queue.add(event.type ?? 'hubspot', event),
 * })
 * ```
 */
export function hubspot(options: HubspotOptions): Verifier {
  requireOptions(options, 'hubspot')
  const signature = hmacSignatureWith(hmacKeys(options.clientSecret, 'sha256', 'hubspot', 'clientSecret'), {
    name: 'hubspot',
    header: 'x-hubspot-signature-v3',
    encoding: 'base64',
    signedContent: '{method}{url}{body}{timestamp}',
    timestamp: { header: 'x-hubspot-request-timestamp', unit: 'ms' },
    toleranceSeconds: 300,
    ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl }),
    eventType: (ctx) => batchType(ctx.payload),
  })
  return withBodyDigestId({
    ...signature,
    verify: (ctx: VerifyContext) => signature.verify({ ...ctx, path: decode(ctx.path), query: decode(ctx.query) }),
  })
}
