import type { MeterProvider } from '@opentelemetry/api'
import type { EventField } from './event-field.js'
import type { GuardHooks } from './observer.js'
import type { DedupeStore } from './stores/store.js'
import type { Logger, WebhookEvent } from './types.js'
import type { Verifier } from './verifier.js'

/**
 * Everything `createGuard` accepts. Only `verify` and `enqueue` are required;
 * the defaults are written beside each option.
 */
export interface GuardOptions extends GuardHooks {
  /** Every verifier must pass (bearer token, JWT, signature, client certificate). At least one. */
  verify: readonly Verifier[]
  /**
   * Hands an accepted event to your queue. The guard answers 2xx only after
   * this resolves; a rejection or timeout answers 503 so the sender retries.
   * Throw `QueueFullError` to answer 503 `queue_full`.
   */
  enqueue: (event: WebhookEvent) => unknown
  /** Source addresses allowed, as IPv4/IPv6 addresses or CIDR ranges. Default: any. */
  allowIps?: readonly string[]
  /** Proxies whose `X-Forwarded-For` is believed. Default: none (the socket address is the client). */
  trustProxy?: readonly string[]
  /** The forwarded header read through trusted proxies. Default `x-forwarded-for`. */
  forwardedHeader?: string
  /** The dedupe store; `false` turns dedupe off. Default: a new `memoryStore()`. */
  dedupe?: DedupeStore | false
  /** What to do when the dedupe store fails: `closed` answers 503 (default), `open` enqueues without dedupe. */
  storeFailure?: 'closed' | 'open'
  /** Prefix of dedupe keys in a store you pass, so several guards can share it. Default `hookguard`. */
  namespace?: string
  /**
   * When a JSON body is parsed. `'lazy'` (default): only when something reads
   * the payload (an event id or type taken from the payload, or your code
   * reading `event.payload` or a type that falls back to it), once; invalid
   * JSON reads as `payload: null` (the raw bytes stay in `bodyBase64`) and is
   * accepted, since a sender would only retry the same signed bytes.
   * `'eager'`: before dedupe, and a body that is not valid UTF-8 JSON is
   * refused with 400 `invalid_json`. Either way the body is parsed at most once.
   */
  parseJson?: 'eager' | 'lazy'
  /** Allowed methods. Default `['POST']`. */
  methods?: readonly string[]
  /**
   * Undo `Content-Encoding: gzip` or `deflate` before verifying; the body limit
   * then applies to the decompressed bytes too, and a body that inflates past
   * 100 times its compressed size is refused (413 `payload_too_large`). A
   * request without credential headers is refused before it is inflated.
   * Default `false`: compressed bodies get 415 `unsupported_encoding`.
   */
  decompress?: boolean
  /** Body size limit in bytes. Default 1 MiB. */
  maxBodyBytes?: number
  /** Longest pause between body bytes, in ms. Default 10 000. */
  bodyTimeoutMs?: number
  /**
   * Longest time the whole body may take to arrive, in ms, however steadily
   * it trickles (408 `body_timeout`). Default 30 000.
   */
  bodyDeadlineMs?: number
  /** How long `enqueue` may take, in ms. Default 3 000. */
  enqueueTimeoutMs?: number
  /** Timestamp tolerance in seconds, both directions, inclusive. Default 300. */
  toleranceSeconds?: number
  /** How long a processed id is remembered, in ms. Default 96 h. */
  dedupeTtlMs?: number
  /** How long a claim on an id being processed lasts, in ms. Default 30 000. */
  leaseMs?: number
  /** The `Retry-After` sent with 409, 429 and 503, in seconds. Default 5. */
  retryAfterSeconds?: number
  /** Where the event id comes from. Default: the verifier (e.g. `webhook-id`). */
  eventId?: EventField
  /** Where the event type comes from. Default: the verifier, else the payload's `type`. */
  eventType?: EventField
  /** Extra request headers copied onto the event. */
  keepHeaders?: readonly string[]
  /** A pino-compatible logger: one record per request. Default: none. */
  logger?: Logger
  /** The clock, in ms. Default `Date.now`. */
  now?: () => number
  /** Where metrics go. Default: the global OpenTelemetry meter provider (a no-op until an SDK registers one). */
  meterProvider?: MeterProvider
}

/** Options after defaults and validation. */
export interface ResolvedOptions {
  methods: ReadonlySet<string>
  allow: string
  maxBodyBytes: number
  bodyTimeoutMs: number
  bodyDeadlineMs: number
  enqueueTimeoutMs: number
  toleranceSeconds: number
  dedupeTtlMs: number
  leaseMs: number
  retryAfterSeconds: number
  namespace: string
  forwardedHeader: string
  storeFailure: 'closed' | 'open'
  decompress: boolean
  parseJson: 'eager' | 'lazy'
}

function positiveNumber(options: GuardOptions, name: keyof GuardOptions, fallback: number): number {
  const value = options[name] ?? fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`${name} must be a positive number`)
  }
  return value
}

/** Applies defaults and fails fast, naming the option, on anything invalid. */
export function resolveOptions(options: GuardOptions): ResolvedOptions {
  if (!options || typeof options !== 'object') throw new TypeError('createGuard needs an options object')
  if (!Array.isArray(options.verify) || options.verify.length === 0) {
    throw new TypeError('verify must list at least one verifier')
  }
  for (const verifier of options.verify) {
    if (!verifier || typeof verifier.verify !== 'function')
      throw new TypeError('verify: every entry must be a verifier')
  }
  if (typeof options.enqueue !== 'function') throw new TypeError('enqueue must be a function')
  const methods = (options.methods ?? ['POST']).map((m) => {
    if (typeof m !== 'string' || !/^[A-Za-z]+$/.test(m)) throw new TypeError('methods must be HTTP method names')
    return m.toUpperCase()
  })
  if (methods.length === 0) throw new TypeError('methods must not be empty')
  const storeFailure = options.storeFailure ?? 'closed'
  if (storeFailure !== 'closed' && storeFailure !== 'open')
    throw new TypeError("storeFailure must be 'closed' or 'open'")
  const parseJson = options.parseJson ?? 'lazy'
  if (parseJson !== 'eager' && parseJson !== 'lazy') throw new TypeError("parseJson must be 'eager' or 'lazy'")
  const resolved: ResolvedOptions = {
    methods: new Set(methods),
    allow: methods.join(', '),
    maxBodyBytes: positiveNumber(options, 'maxBodyBytes', 1024 * 1024),
    bodyTimeoutMs: positiveNumber(options, 'bodyTimeoutMs', 10_000),
    bodyDeadlineMs: positiveNumber(options, 'bodyDeadlineMs', 30_000),
    enqueueTimeoutMs: positiveNumber(options, 'enqueueTimeoutMs', 3_000),
    toleranceSeconds: positiveNumber(options, 'toleranceSeconds', 300),
    dedupeTtlMs: positiveNumber(options, 'dedupeTtlMs', 96 * 3600 * 1000),
    leaseMs: positiveNumber(options, 'leaseMs', 30_000),
    retryAfterSeconds: positiveNumber(options, 'retryAfterSeconds', 5),
    namespace: options.namespace ?? 'hookguard',
    forwardedHeader: (options.forwardedHeader ?? 'x-forwarded-for').toLowerCase(),
    storeFailure,
    decompress: options.decompress === true,
    parseJson,
  }
  if (resolved.leaseMs <= resolved.enqueueTimeoutMs) {
    throw new TypeError('leaseMs must be longer than enqueueTimeoutMs, or a slow enqueue could be duplicated')
  }
  return resolved
}
