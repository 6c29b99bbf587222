import type { EventFieldContext } from '../event/event-field.js'
import { singleHeader } from '../lib/headers.js'
import type { Keys } from '../verify/key-resolver.js'
import { headerName, requireOptions } from '../verify/option-checks.js'
import { checkSecretHeader, secretDigests } from '../verify/secret-header.js'
import type { Handshake, Verifier, VerifyContext, VerifyResult } from '../verify/verifier.js'
import { checkedChallenge, jsonReply } from './handshake-parts.js'

/** Options for {@link okta}. */
export interface OktaOptions {
  /**
   * The authentication secret of the event hook (the header's value, as you
   * typed it), or several during a rotation, or a resolver that looks the
   * request's tenant's secrets up.
   */
  secret: Keys<string>
  /** The authentication field (header) of the event hook. Default `authorization`. */
  header?: string
}

const challengeHeader = 'x-okta-verification-challenge'

/**
 * Verifies Okta event hooks. Okta signs nothing: it sends the secret you
 * configured as the whole value of a header (`Authorization` unless you named
 * another), compared here in constant time (both sides hashed first, so
 * neither content nor length leaks), on event deliveries and on the
 * verification request alike. A captured secret sends any body until it is
 * changed. The id is the envelope's `eventId` (one per delivery, kept across
 * Okta's retry). One delivery batches `data.events[]`: the type is their
 * `eventType` (`user.session.start`, …) when all of them share one, else
 * the envelope's `eventType` (`com.okta.event_hook`).
 *
 * It answers Okta's one-time verification request, never enqueued: `GET`
 * with `X-Okta-Verification-Challenge` (and the secret header) gets 200 JSON
 * `{ "verification": <the challenge> }`; a challenge over 256 characters or
 * outside `[A-Za-z0-9_.~+/=-]` is 400 `invalid_challenge`. `GET` is admitted
 * for it alone (a GET without the header is 405).
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [okta({ secret: process.env.OKTA_EVENT_HOOK_SECRET! })],
 *   enqueue: async (event) => queue.add(event.type ?? 'okta', event),
 * })
 * ```
 */
export function okta(options: OktaOptions): Verifier {
  requireOptions(options, 'okta')
  const digests = secretDigests(options.secret, 'okta', 'secret')
  const header = headerName(options.header ?? 'authorization', 'okta', 'header')
  const verification: Handshake = {
    methods: ['GET'],
    // Answered after `verify`: the verification request carries the secret header as deliveries do.
    signed: true,
    mayBe: (request) => singleHeader(request.headers, challengeHeader) !== undefined,
    answer: (ctx: VerifyContext) =>
      jsonReply({
        verification: checkedChallenge(
          singleHeader(ctx.headers, challengeHeader),
          challengeHeader,
          challengeCharacters,
        ),
      }),
  }
  return {
    name: 'okta',
    credentialHeaders: [header],
    eventId: { payload: 'eventId' },
    eventType: (ctx: EventFieldContext) => batchType(ctx.payload),
    handshakes: [verification],
    verify: (ctx: VerifyContext): Promise<VerifyResult> => checkSecretHeader(ctx, header, digests, 'secrets'),
    invalidate: (tenant) => digests.invalidate(tenant),
  }
}

/** Okta's challenges are random base64url-like strings of about 40 characters. */
const challengeCharacters = /^[A-Za-z0-9_.~+/=-]+$/

function batchType(payload: unknown): string | undefined {
  if (!isRecord(payload)) return undefined
  const events = isRecord(payload.data) ? payload.data.events : undefined
  if (Array.isArray(events) && events.length > 0) {
    const types = new Set(events.map((event) => (isRecord(event) ? event.eventType : undefined)))
    const [type] = types
    if (types.size === 1 && typeof type === 'string') return type
  }
  return typeof payload.eventType === 'string' ? payload.eventType : undefined
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
