import { base64Encode, sha256 } from '#crypto'
import { safeEqual } from '../verify/constant-time.js'
import { jwt } from '../verify/jwt.js'
import { nonEmptyString, nonNegativeNumber, requireOptions } from '../verify/option-checks.js'
import type { Verifier } from '../verify/verifier.js'

/** Options for {@link qstash}. */
export interface QStashOptions {
  /** `QSTASH_CURRENT_SIGNING_KEY`. */
  currentSigningKey: string
  /** `QSTASH_NEXT_SIGNING_KEY`: accepted too, so a key rotation drops nothing. */
  nextSigningKey: string
  /** This endpoint's public URL; when given, the token's `sub` must equal it. */
  url?: string
  /** Allowed clock difference for `exp` and `nbf`, in seconds. Default 60. */
  clockToleranceSeconds?: number
}

function base64url(bytes: Uint8Array): string {
  return base64Encode(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/**
 * Verifies Upstash QStash deliveries: an HS256 JWT in `Upstash-Signature`,
 * signed with the current or the next signing key, issuer `Upstash`, whose
 * `body` claim is the base64url SHA-256 of the raw body (and whose `sub` is
 * the endpoint URL, checked when `url` is given). The event id is
 * `Upstash-Message-Id`, which is not signed: the token's `jti` is claimed as
 * well, until the token expires, so a token is used once whatever message id
 * comes with it. The claims are recorded on the event.
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [
 *     qstash({
 *       currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY!,
 *       nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY!,
 *       url: 'https://example.com/api/qstash',
 *     }),
 *   ],
 *   enqueue: async (event) => queue.add('qstash', event),
 * })
 * ```
 */
export function qstash(options: QStashOptions): Verifier {
  const where = 'qstash'
  requireOptions(options, where)
  nonEmptyString(options.currentSigningKey, where, 'currentSigningKey')
  nonEmptyString(options.nextSigningKey, where, 'nextSigningKey')
  if (options.url !== undefined) nonEmptyString(options.url, where, 'url')
  if (options.clockToleranceSeconds !== undefined) {
    nonNegativeNumber(options.clockToleranceSeconds, where, 'clockToleranceSeconds')
  }
  const verifier = jwt({
    name: 'qstash',
    secret: [options.currentSigningKey, options.nextSigningKey],
    algorithms: ['HS256'],
    issuer: 'Upstash',
    audience: null,
    header: 'upstash-signature',
    ...(options.url === undefined ? {} : { claims: { sub: options.url } }),
    ...(options.clockToleranceSeconds === undefined ? {} : { clockToleranceSeconds: options.clockToleranceSeconds }),
    requiredClaims: ['body'],
    verifyClaims: async (claims, ctx) => {
      if (typeof claims.body !== 'string') return false
      return safeEqual(claims.body.replace(/=+$/, ''), base64url(await sha256(ctx.body)))
    },
  })
  const toleranceMs = (options.clockToleranceSeconds ?? 60) * 1000
  return {
    ...verifier,
    signs: { body: true, headers: [] },
    async verify(ctx) {
      const result = await verifier.verify(ctx)
      // A token is valid until `exp` (and the tolerance), whatever message id comes with it: its `jti` is
      // claimed as well, until then, so a captured token re-sent with a fresh Upstash-Message-Id is a duplicate.
      const { jti, exp } = result.claims ?? {}
      if (typeof jti !== 'string' || jti === '' || typeof exp !== 'number') return result
      return { ...result, replayKey: { key: jti, ttlMs: Math.max(1, exp * 1000 + toleranceMs - ctx.nowMs) } }
    },
    eventId: { header: 'upstash-message-id' },
    keepHeaders: ['upstash-message-id', 'upstash-retried', 'upstash-schedule-id', 'upstash-caller-ip'],
  }
}
