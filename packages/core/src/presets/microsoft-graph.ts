import { sha256 } from '#crypto'
import { WebhookError } from '../errors.js'
import type { EventFieldContext } from '../event/event-field.js'
import { safeEqualBytes } from '../verify/constant-time.js'
import type { Keys } from '../verify/key-resolver.js'
import { compileKeys, randomBytes } from '../verify/keyring.js'
import { nonEmptyString, optionError, requireOptions } from '../verify/option-checks.js'
import type { Handshake, Verifier, VerifyContext, VerifyResult } from '../verify/verifier.js'
import { withBodyDigestId } from './body-digest-id.js'
import { checkedChallenge, plainTextReply, queryValue } from './handshake-parts.js'

/** Options for {@link microsoftGraph}. */
export interface MicrosoftGraphOptions {
  /**
   * The `clientState` you set when creating the subscription (at most 255
   * characters), or several during a rotation (each may carry its window,
   * `{ key, notBefore, notAfter }`): every notification of a delivery must
   * carry one of them. Or a resolver (`keyResolver`, or a plain function)
   * that looks the tenant's clientState values up.
   */
  clientState: Keys<string>
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/**
 * Receives Microsoft Graph change notifications. Graph signs nothing: each
 * notification carries the subscription's `clientState`, and every item of
 * the delivery's `value` must carry one of the configured ones (compared in
 * constant time, both sides hashed first) or the delivery is 401
 * `invalid_client_state`. Graph sends no delivery id: the id is
 * `body-sha256:` and the base64 SHA-256 of the body. The type is the items'
 * `changeType` (`created`, `updated`, `deleted`) or, for lifecycle
 * notifications, `lifecycleEvent` (`reauthorizationRequired`,
 * `subscriptionRemoved`, `missed`) when every item of the batch has the same
 * one; a mixed batch has none. Graph wants `202 Accepted`, the guard's answer.
 *
 * It answers Graph's validation request (when a subscription is created or
 * renewed, on the notification URL and the lifecycle notification URL),
 * never enqueued: `POST ?validationToken=…` gets 200 `text/plain` with the
 * form-decoded token (`+` is a space) and `X-Content-Type-Options: nosniff`;
 * a token missing, repeated, over 1024 characters or outside letters, digits,
 * spaces and `:._~+/=-` is 400 `invalid_challenge`.
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [microsoftGraph({ clientState: process.env.GRAPH_CLIENT_STATE! })],
 *   enqueue: async (event) => queue.add(event.type ?? 'graph', event),
 * })
 * ```
 */
export function microsoftGraph(options: MicrosoftGraphOptions): Verifier {
  const where = 'microsoftGraph'
  requireOptions(options, where)
  const digests = compileKeys(options.clientState, {
    where,
    option: 'clientState',
    compile: (state, label) => {
      const checked = nonEmptyString(state, where, label)
      if (checked.length > 255) throw optionError(where, label, 'at most 255 characters')
      return sha256(encoder.encode(checked))
    },
    decoy: () => sha256(randomBytes(32)),
    refusal: 'invalid_client_state',
  })
  const verifier: Verifier = {
    name: 'microsoft-graph',
    eventType: (ctx: EventFieldContext) => sharedType(ctx.payload),
    async verify(ctx: VerifyContext): Promise<VerifyResult> {
      const items = notificationsOf(ctx.body)
      return await digests.use(ctx, async (known) => {
        for (const [i, item] of items.entries()) {
          const state = item.clientState
          if (typeof state !== 'string' || state === '') {
            throw new WebhookError('invalid_client_state', `value[${i}] carries no clientState`)
          }
          const presented = await sha256(encoder.encode(state))
          let matched = false
          for (const digest of known) matched = safeEqualBytes(presented, await digest) || matched
          if (!matched) {
            throw new WebhookError('invalid_client_state', `value[${i}].clientState matches none configured`)
          }
        }
        return {}
      })
    },
    invalidate: (tenant) => digests.invalidate(tenant),
  }
  return { ...withBodyDigestId(verifier), handshakes: [validation] }
}

/** The delivery's notifications: `value`, a non-empty list of objects; anything else is 400 `invalid_body`. */
function notificationsOf(body: Uint8Array): Record<string, unknown>[] {
  let payload: unknown
  try {
    payload = JSON.parse(decoder.decode(body))
  } catch {
    throw new WebhookError('invalid_json', 'a Graph notification body that is not JSON')
  }
  const value = isRecord(payload) ? payload.value : undefined
  if (!Array.isArray(value) || value.length === 0 || !value.every(isRecord)) {
    throw new WebhookError('invalid_body', 'a Graph notification body without a non-empty value list of objects')
  }
  return value
}

/** Every item's `lifecycleEvent` or `changeType`, when they are all the same. */
function sharedType(payload: unknown): string | undefined {
  const value = isRecord(payload) ? payload.value : undefined
  if (!Array.isArray(value)) return undefined
  const types = new Set(value.map((item) => (isRecord(item) ? (item.lifecycleEvent ?? item.changeType) : undefined)))
  const [type] = types
  return types.size === 1 && typeof type === 'string' ? type : undefined
}

/** Graph's validation tokens read `Validation: Testing client application reachability for subscription Request-Id: …`. */
const tokenCharacters = /^[A-Za-z0-9 :._~+/=-]+$/

const validation: Handshake = {
  methods: ['POST'],
  signed: false,
  mayBe: (request) => new URLSearchParams(request.query).has('validationToken'),
  answer: (ctx: VerifyContext) =>
    plainTextReply(
      checkedChallenge(queryValue(ctx.query ?? '', 'validationToken'), 'validationToken', tokenCharacters, 1024),
    ),
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
