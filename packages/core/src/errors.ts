/**
 * Stable error codes and the HTTP status each one maps to.
 *
 * The record is total: a new code without a status fails to compile. Codes are
 * public API; switch on `error.code`, never on a message.
 */
export const errorStatus = {
  duplicate_header: 400,
  invalid_event_id: 400,
  missing_event_id: 400,
  invalid_json: 400,
  invalid_body: 400,
  invalid_challenge: 400,
  invalid_tenant: 400,
  missing_credentials: 401,
  invalid_token: 401,
  token_expired: 401,
  missing_signature: 401,
  invalid_signature: 401,
  invalid_timestamp: 401,
  invalid_client_state: 401,
  timestamp_too_old: 401,
  timestamp_too_new: 401,
  ip_not_allowed: 403,
  invalid_verify_token: 403,
  topic_not_allowed: 403,
  client_certificate_rejected: 403,
  method_not_allowed: 405,
  handshake_rate_limited: 429,
  body_timeout: 408,
  in_flight: 409,
  payload_too_large: 413,
  unsupported_encoding: 415,
  raw_body_unavailable: 500,
  internal_error: 500,
  enqueue_failed: 503,
  enqueue_timeout: 503,
  queue_full: 503,
  store_unavailable: 503,
  keys_unavailable: 503,
  confirmation_failed: 503,
  dead_letter_failed: 503,
} as const satisfies Record<string, number>

/** Every code a rejection can carry. */
export type ErrorCode = keyof typeof errorStatus

/**
 * Every code a verdict can carry: a rejection's, or one of the other
 * outcomes: `accepted` (202), `duplicate`, `handshake` and `ignored` (200),
 * and `invalid_payload` (200 by default, or the `invalidPayloadStatus` you
 * choose, 400 or 422).
 */
export type VerdictCode = ErrorCode | 'accepted' | 'duplicate' | 'handshake' | 'ignored' | 'invalid_payload'

/** Short, secret-free titles sent to the sender in the problem+json body. */
export const errorTitle: Record<ErrorCode, string> = {
  duplicate_header: 'A header that must appear once was repeated',
  invalid_event_id: 'Invalid event id',
  missing_event_id: 'Missing event id',
  invalid_json: 'Body is not valid JSON',
  invalid_body: 'Invalid body',
  invalid_challenge: 'Invalid handshake',
  invalid_tenant: 'Invalid tenant',
  missing_credentials: 'Missing credentials',
  invalid_token: 'Invalid token',
  token_expired: 'Token expired',
  missing_signature: 'Missing signature',
  invalid_signature: 'Invalid signature',
  invalid_timestamp: 'Invalid timestamp',
  invalid_client_state: 'clientState does not match',
  timestamp_too_old: 'Timestamp too old',
  timestamp_too_new: 'Timestamp too far in the future',
  ip_not_allowed: 'Source address not allowed',
  invalid_verify_token: 'Verify token does not match',
  topic_not_allowed: 'Topic not allowed',
  client_certificate_rejected: 'Client certificate rejected',
  method_not_allowed: 'Method not allowed',
  handshake_rate_limited: 'Too many handshake requests',
  body_timeout: 'Body not received in time',
  in_flight: 'This event is being processed',
  payload_too_large: 'Payload too large',
  unsupported_encoding: 'Unsupported content encoding',
  raw_body_unavailable: 'Raw body unavailable',
  internal_error: 'Internal error',
  enqueue_failed: 'Could not enqueue the event',
  enqueue_timeout: 'Enqueue timed out',
  queue_full: 'Queue full',
  store_unavailable: 'Dedupe store unavailable',
  keys_unavailable: 'Verification keys unavailable',
  confirmation_failed: 'Subscription could not be confirmed',
  dead_letter_failed: 'Could not hand the invalid payload to onInvalid',
}

/** Marks a WebhookError made by any copy of this package (the ESM and the CommonJS build are two). */
const webhookErrorMark = Symbol.for('@hookguard/core.WebhookError')

/**
 * A rejection with a stable `code`. The `detail` is for developers and goes to
 * the logger only; it never reaches the sender and never holds a secret,
 * signature or body.
 *
 * Test for one with its `code`: `err.code === 'invalid_signature'`. An app that
 * both `import`s and `require`s hookguard loads two copies of it; `instanceof
 * WebhookError` holds for an error of either copy all the same.
 *
 * @example
 * ```ts
 * throw new WebhookError('invalid_signature', 'no v1 entry matched')
 * ```
 */
export class WebhookError extends Error {
  /** True for a WebhookError of either build; a subclass keeps the ordinary prototype test. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class instanceof was asked about (maybe a subclass)
    if (this !== WebhookError) return Function.prototype[Symbol.hasInstance].call(this, value)
    return typeof value === 'object' && value !== null && webhookErrorMark in value
  }

  readonly code: ErrorCode
  readonly status: number
  readonly detail: string | undefined

  constructor(code: ErrorCode, detail?: string) {
    super(errorTitle[code])
    this.name = 'WebhookError'
    this.code = code
    this.status = errorStatus[code]
    this.detail = detail
    Object.defineProperty(this, webhookErrorMark, { value: true })
  }
}

/**
 * Throw this from `enqueue` when the user's queue refuses work because it is
 * full: the guard releases the claim and answers 503 `queue_full`, so the
 * sender retries later.
 *
 * @example
 * ```ts
 * enqueue: async (event) => {
 *   if (queue.length > 10_000) throw new QueueFullError()
 *   queue.push(event)
 * }
 * ```
 */
export class QueueFullError extends Error {
  constructor(message = 'queue full') {
    super(message)
    this.name = 'QueueFullError'
  }
}
