import type { VerdictCode } from './errors.js'
import type { HeaderBag } from './lib/headers.js'

/** A Node.js readable stream as far as the core needs it (an `IncomingMessage`). */
export interface NodeReadableLike {
  on(event: string, listener: (...args: never[]) => void): unknown
  removeListener(event: string, listener: (...args: never[]) => void): unknown
  pause(): unknown
  readonly readableEnded?: boolean
}

/** Where the raw body comes from; the core counts bytes and applies the idle timeout. */
export type BodySource = Uint8Array | string | ReadableStream<Uint8Array> | NodeReadableLike | null | undefined

/** What a TLS connection tells about the client's certificate. */
export interface TlsPeer {
  /** Whether the TLS layer verified the certificate against the server's CAs. */
  authorized: boolean
  /** `AA:BB:…` SHA-256 fingerprint of the peer certificate, when there is one. */
  fingerprint256?: string
  subject?: Record<string, string | string[]>
  issuer?: Record<string, string | string[]>
}

/**
 * The neutral request an adapter hands to the core: plain data, no framework
 * objects. Header names are lower-case; repeated headers may be arrays.
 */
export interface WebhookRequest {
  method: string
  path?: string
  /**
   * The query string as it arrived, without the `?` and not decoded (`''` or
   * absent when there is none). Read by senders' handshakes (`hub.challenge`).
   */
  query?: string
  params?: Readonly<Record<string, string>>
  headers: HeaderBag
  /** The socket's peer address as the platform reports it. */
  remoteAddress?: string
  tls?: TlsPeer
  body: BodySource
  /**
   * Set by an adapter when the raw bytes are gone (a JSON body parser ran
   * first). The text is a hint for the developer log: how to fix the setup.
   */
  bodyUnavailable?: string
  /**
   * Set by an adapter when `body` is what a body parser left, which has
   * already undone any `Content-Encoding` (`express.raw()` and
   * `koa-bodyparser` inflate gzip): the guard then ignores that header.
   */
  bodyDecoded?: boolean
}

/** How the request was authenticated, as recorded on the event. */
export interface AuthInfo {
  /** The verifier's name, e.g. `standard-webhooks`, `bearer-token`. */
  verifier: string
  /** JWT claims, when a token carried them. */
  claims?: Record<string, unknown>
}

/**
 * What `enqueue` receives. Plain data: `JSON.parse(JSON.stringify(event))`
 * gives an equal object, so it can go straight onto a queue or into a row.
 * `Type` and `Payload` narrow it for a guard with typed events (see
 * {@link EventOf}).
 */
export interface WebhookEvent<
  Id extends string | null = string | null,
  Type extends string | null = string | null,
  Payload = unknown,
> {
  /**
   * The sender's event id (the dedupe key). Always a string while dedupe is
   * on (the guard refuses a delivery without one); `null` only with
   * `dedupe: false` and no id source.
   */
  id: Id
  /** The event type, from the verifier, the configured source, or the payload's `type`. */
  type: Type
  /** The sender's signed timestamp in Unix seconds, when the scheme has one. */
  timestamp: number | null
  /** When this delivery was received, ISO 8601. */
  receivedAt: string
  method: string
  path: string | null
  params: Record<string, string>
  /**
   * The parsed JSON payload when the body is JSON, otherwise `null`. With
   * `events`, the value its type's schema gave.
   */
  payload: Payload
  /** The raw body bytes, base64: lossless for any bytes. Read with `eventBody` or `eventText`. */
  bodyBase64: string
  contentType: string | null
  /** Selected request headers (never credentials or signatures). */
  headers: Record<string, string>
  /** The client address after proxy handling, or `null` if unknown. */
  sourceIp: string | null
  /** One entry per verifier that passed. */
  auth: AuthInfo[]
  /** The tenant the request named (the guard's `tenant` option), or `null` when the guard names none. */
  tenant: string | null
}

/**
 * The event `enqueue` receives for a map of event types to payload types: a
 * union discriminated by `type`, so `switch (event.type)` narrows
 * `event.payload`. Without a map (`never`, the default), the untyped
 * {@link WebhookEvent}.
 *
 * @example
 * ```ts
 * type Events = { 'scan.completed': { scanId: string }; 'scan.failed': { reason: string } }
 * const handle = (event: EventOf<Events>) => {
 *   if (event.type === 'scan.failed') console.log(event.payload.reason)
 * }
 * ```
 */
export type EventOf<Events, Id extends string | null = string | null> = [Events] extends [never]
  ? WebhookEvent<Id>
  : { [Type in keyof Events & string]: WebhookEvent<Id, Type, Events[Type]> }[keyof Events & string]

/** The answer the adapter writes: status, headers and a small JSON body. */
export interface Verdict {
  status: number
  /** `accepted`, `duplicate`, `handshake`, or an error code. */
  code: VerdictCode
  headers: Record<string, string>
  body: string
  /** The event, when accepted. */
  event?: WebhookEvent
}

/** A pino-compatible logger: one structured record per request. */
export interface Logger {
  debug?(record: object, message?: string): void
  info(record: object, message?: string): void
  warn(record: object, message?: string): void
  error(record: object, message?: string): void
}
