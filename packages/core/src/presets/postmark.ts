import type { EventFieldContext } from '../event/event-field.js'
import { basicAuth } from '../verify/basic-auth.js'
import type { Keys } from '../verify/key-resolver.js'
import { mapKeys } from '../verify/map-keys.js'
import { nonEmptyString, optionError, requireOptions } from '../verify/option-checks.js'
import type { Verifier } from '../verify/verifier.js'

/** Options for {@link postmark}. */
export interface PostmarkOptions {
  /**
   * The user name in the webhook URL (`https://username:password@…`). One for
   * every tenant: it names the sender, it is no secret; the password is what
   * differs per tenant.
   */
  username: string
  /**
   * The password in the webhook URL, or several during a rotation (each may
   * carry its window, `{ key, notBefore, notAfter }`), or a resolver
   * (`keyResolver`, or a plain function) that looks the tenant's passwords up.
   */
  password: Keys<string>
}

/**
 * Record types that arrive more than once for one message, and the payload
 * field that tells the arrivals apart (each open and click has its own
 * `ReceivedAt`, each subscription change its `ChangedAt`, each bounce its `BouncedAt`).
 */
const repeatedBy: Readonly<Record<string, string>> = {
  Open: 'ReceivedAt',
  Click: 'ReceivedAt',
  SubscriptionChange: 'ChangedAt',
  Bounce: 'BouncedAt',
}

const text = (value: unknown) =>
  typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined

/**
 * The event id Postmark's payload gives: `RecordType:MessageID`, plus the field
 * that tells repeats apart for opens, clicks, bounces and subscription changes;
 * inbound messages (no `RecordType`) are `Inbound:MessageID`.
 */
function postmarkId({ payload }: EventFieldContext): string | undefined {
  if (!payload || typeof payload !== 'object') return undefined
  const record = payload as Record<string, unknown>
  const messageId = text(record.MessageID)
  if (messageId === undefined) return undefined
  const type = text(record.RecordType) ?? 'Inbound'
  const repeatField = repeatedBy[type]
  if (repeatField === undefined) return `${type}:${messageId}`
  const repeat = text(record[repeatField])
  return repeat === undefined ? undefined : `${type}:${messageId}:${repeat}`
}

/**
 * Verifies Postmark webhooks. Postmark signs nothing: it sends the user name
 * and password written in the webhook URL as HTTP Basic authentication, which
 * {@link basicAuth} checks in constant time. That proves the sender, not the
 * body, and a captured delivery can be re-sent until the password changes;
 * only the id's dedupe stops the same delivery twice. Postmark sends no
 * delivery id: the id is built from the payload's `RecordType` and
 * `MessageID` (plus `ReceivedAt`, `ChangedAt` or `BouncedAt` for the
 * record types that repeat per message); the type is `RecordType`.
 *
 * @example
 * ```ts
 * // Webhook URL in Postmark: https://postmark:<password>@example.com/hooks/postmark
 * const guard = createGuard({
 *   verify: [postmark({ username: 'postmark', password: process.env.POSTMARK_WEBHOOK_PASSWORD! })],
 *   enqueue: async (event) => queue.add(event.type ?? 'postmark', event),
 * })
 * ```
 */
export function postmark(options: PostmarkOptions): Verifier {
  requireOptions(options, 'postmark')
  const username = nonEmptyString(options.username, 'postmark', 'username')
  if (username.includes(':')) throw optionError('postmark', 'username', 'a user name without ":"')
  const credentials = mapKeys(options.password, 'postmark', 'password', (password, label) => ({
    username,
    password: nonEmptyString(password, 'postmark', label),
  }))
  const auth = basicAuth({ name: 'postmark', credentials })
  return { ...auth, eventId: postmarkId, eventType: { payload: 'RecordType' } }
}
