import type { EventField } from '../event/event-field.js'
import type { HeaderBag } from '../lib/headers.js'
import type { TlsPeer, WebhookRequest } from '../types.js'

/** What a verifier sees of the request. */
export interface VerifyContext {
  method: string
  headers: HeaderBag
  /** The raw query string, without the `?` and not decoded; absent or `''` when there is none. */
  query?: string
  /** The request path as the adapter reports it (`/hooks/twilio`), when it reports one. */
  path?: string
  /**
   * The origin the client called (`https://example.com`), as a trusted proxy
   * forwarded it (`Forwarded`, `X-Forwarded-Proto`/`-Host`): set only when the
   * socket's address is in the guard's `trustProxy` and a verifier asked for
   * it ({@link Verifier.urlFromProxy}).
   */
  forwardedOrigin?: string
  body: Uint8Array
  params: Readonly<Record<string, string>>
  tls: TlsPeer | undefined
  /**
   * The tenant the request names (the guard's `tenant` option), once named:
   * from a path parameter or header before any verifier runs, from a JWT
   * claim after the verifier that checked it. `undefined` otherwise.
   */
  tenant?: string | undefined
  /** The guard's clock, in milliseconds. */
  nowMs: number
  /** The guard's timestamp tolerance, in seconds, unless the verifier sets its own. */
  toleranceSeconds: number
}

/** What a verifier learned when it passed. */
export interface VerifyResult {
  id?: string
  type?: string
  /** Unix seconds. */
  timestamp?: number
  claims?: Record<string, unknown>
  /**
   * A second dedupe key for this delivery, taken from what the signature
   * covers, for a sender whose signature covers no timestamp (nor an id): a
   * captured delivery re-sent with a fresh, unsigned id is then still a
   * duplicate. Claimed after the event id, kept for `ttlMs` once done (default:
   * the guard's `dedupeTtlMs`). `hmacSignature` without a `timestamp` gives
   * the signature digest that matched; `qstash` the token's `jti` until it
   * expires.
   */
  replayKey?: { key: string; ttlMs?: number }
}

/** The parts of a request a verifier's signature covers. */
export interface SignedParts {
  /** The raw body, and so every field of the payload. */
  body: boolean
  /** Header names (lower-case) the signature covers. */
  headers: readonly string[]
}

/** What a sender's handshake answers: a 200 with this body. */
export interface HandshakeReply {
  /** E.g. `text/plain; charset=utf-8` or `application/json`. */
  contentType: string
  body: string
  /** More headers, e.g. `x-content-type-options: nosniff`. */
  headers?: Readonly<Record<string, string>>
  /**
   * Something the operator must act on, logged at `warn` through the guard's
   * logger with the sender's name (an SNS subscription left unconfirmed).
   * Never a secret, token or body.
   */
  warning?: { message: string; fields?: Readonly<Record<string, string>> }
}

/**
 * A verification request a sender makes before (or between) its deliveries,
 * answered by the guard in step 5: never deduped, never enqueued, logged with
 * the code `handshake`.
 */
export interface Handshake {
  /** The methods the sender's handshake uses; they are admitted for it alone. Default `['POST']`. */
  readonly methods?: readonly string[]
  /**
   * Whether the sender signs the handshake as it signs its events: then it is
   * answered only after the verifier's `verify` passed. An unsigned one is
   * answered instead of `verify` (and without the credential pre-check).
   */
  readonly signed: boolean
  /** A cheap look (method, query, headers; never the body): may this request be the handshake? */
  mayBe(request: WebhookRequest): boolean
  /**
   * The reply, or `undefined` when the request is an ordinary delivery after
   * all. Throws a `WebhookError` for a handshake that fails its checks (a wrong
   * verify token, a malformed challenge); never puts the request's input in
   * the detail.
   */
  answer(ctx: VerifyContext): HandshakeReply | undefined | Promise<HandshakeReply | undefined>
}

/**
 * One authentication step. `verify` passes by returning (maybe a promise of) a
 * result and fails by throwing a `WebhookError` with a stable code.
 *
 * @example
 * ```ts
 * const onlyPut: Verifier = {
 *   name: 'only-put',
 *   verify: (ctx) => {
 *     if (ctx.method !== 'PUT') throw new WebhookError('missing_credentials')
 *     return {}
 *   },
 * }
 * ```
 */
export interface Verifier {
  readonly name: string
  /** Header names worth keeping on the event (ids, types, timestamps; never credentials). */
  readonly keepHeaders?: readonly string[]
  /**
   * Headers this sender names its delivery in (e.g. `webhook-id`), read
   * unverified only for the log of a delivery refused before its event was
   * built (`unverifiedEventId`), so a 401 can be matched to the sender's
   * delivery log. Never used as the event id.
   */
  readonly idHeaders?: readonly string[]
  /** Where this sender puts the event id, when `verify` does not return one (e.g. `{ payload: 'id' }`). */
  readonly eventId?: EventField
  /** Where this sender puts the event type, when `verify` does not return one. */
  readonly eventType?: EventField
  /**
   * What this verifier's signature covers. Absent: none of the request (a
   * bearer token, a client certificate, a JWT's own claims). The guard warns
   * at creation when `eventId` or `eventType` is read from a header or path
   * parameter that no signature covers while some verifier signs the request.
   */
  readonly signs?: SignedParts
  /**
   * Headers (lower-case) that carry this verifier's credential: a request must
   * carry at least one of them, non-empty, or the guard refuses it with
   * {@link Verifier.missingCredentialCode} before reading (or inflating) its
   * body. `verify` must refuse such a request with the same code. Default: no
   * pre-check. `createGuard` also refuses to keep these headers on the event.
   */
  readonly credentialHeaders?: readonly string[]
  /** The code for a request with none of `credentialHeaders`. Default `missing_credentials`. */
  readonly missingCredentialCode?: 'missing_credentials' | 'missing_signature'
  /**
   * Whether this verifier signs the request URL and reads its origin from a
   * trusted proxy's headers (`hmacSignature` with `{url}` and no
   * `publicUrl`): `createGuard` then refuses to start without `trustProxy`.
   */
  readonly urlFromProxy?: boolean
  /** The sender's handshakes (Slack's `url_verification`, Meta's `hub.challenge`), answered by the guard. */
  readonly handshakes?: readonly Handshake[]
  verify(ctx: VerifyContext): VerifyResult | Promise<VerifyResult>
  /**
   * Drops what a key resolver returned for `tenant` (every tenant's, without
   * one), so the next request looks its keys up again. `guard.invalidate`
   * calls it on every verifier that has it.
   */
  invalidate?(tenant?: string): void
}
