import { andThen } from '../lib/maybe-promise.js'
import type { HmacKey } from '../verify/crypto/port.js'
import { hmacKeys, hmacSignatureWith } from '../verify/hmac-signature.js'
import type { Keys } from '../verify/key-resolver.js'
import { requireOptions } from '../verify/option-checks.js'
import type { Handshake, Verifier, VerifyContext } from '../verify/verifier.js'
import { withBodyDigestId } from './body-digest-id.js'
import { checkedChallenge, jsonReply } from './handshake-parts.js'

/** Options for {@link zoom}. */
export interface ZoomOptions {
  /**
   * The app's Secret Token (Features → Access → Secret Token), or several
   * during a rotation (the first valid now answers the URL validation), or a
   * resolver that looks the request's tenant's tokens up (the tenant's first
   * answers its URL validation).
   */
  secretToken: Keys<string>
  /** Allowed clock difference in seconds, both directions. Default 300. */
  toleranceSeconds?: number
}

/**
 * Verifies Zoom webhooks: `x-zm-signature: v0=<hex>`, an HMAC-SHA256 of
 * `v0:<timestamp>:<body>` with the secret token, the timestamp in
 * `x-zm-request-timestamp`. Zoom sends no event id: the id is `body-sha256:`
 * and the base64 SHA-256 of the body. The type is the payload's `event`.
 *
 * It answers Zoom's URL validation (at setup and every 72 hours), never
 * enqueued: the signed `endpoint.url_validation` event with
 * `payload.plainToken` gets 200 JSON `{ plainToken, encryptedToken }`, the
 * hex HMAC-SHA256 of the plain token with the secret token. A bad signature
 * is 401; a plain token missing, over 256 characters or outside
 * `[A-Za-z0-9_-]` is 400 `invalid_challenge`. With a resolver, the answer is
 * made with the requesting tenant's secret token (an unknown tenant's
 * signature already failed: 401).
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [zoom({ secretToken: process.env.ZOOM_WEBHOOK_SECRET_TOKEN! })],
 *   enqueue: async (event) => queue.add(event.type ?? 'zoom', event),
 * })
 * ```
 */
export function zoom(options: ZoomOptions): Verifier {
  requireOptions(options, 'zoom')
  const secrets = hmacKeys(options.secretToken, 'sha256', 'zoom', 'secretToken')
  const verifier = hmacSignatureWith(secrets, {
    name: 'zoom',
    header: 'x-zm-signature',
    encoding: 'hex',
    prefix: 'v0=',
    timestamp: { header: 'x-zm-request-timestamp' },
    signedContent: 'v0:{timestamp}:{body}',
    toleranceSeconds: options.toleranceSeconds ?? 300,
    eventType: { payload: 'event' },
    keepHeaders: ['x-zm-request-timestamp', 'x-zm-trackingid'],
  })
  const urlValidation: Handshake = {
    signed: true,
    mayBe: () => true,
    answer(ctx: VerifyContext) {
      const text = decoder.decode(ctx.body)
      if (!text.includes('endpoint.url_validation')) return undefined
      const payload = parseObject(text)
      if (payload?.event !== 'endpoint.url_validation') return undefined
      const inner = payload.payload
      const plainToken = checkedChallenge(
        typeof inner === 'object' && inner !== null ? (inner as Record<string, unknown>).plainToken : undefined,
        'payload.plainToken',
        tokenCharacters,
      )
      // Signed: the signature was just checked with these secrets, so they come from the cache, not a new lookup.
      return secrets.use(ctx, (keys) =>
        andThen((keys[0] as HmacKey).digest([plainToken], 'hex'), (encryptedToken) =>
          jsonReply({ plainToken, encryptedToken }),
        ),
      )
    },
  }
  return { ...withBodyDigestId(verifier), handshakes: [urlValidation] }
}

/** Zoom's plain tokens are base64url-like, about 22 characters. */
const tokenCharacters = /^[A-Za-z0-9_-]+$/
const decoder = new TextDecoder()

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}
