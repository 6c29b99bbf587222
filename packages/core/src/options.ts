import type { MeterProvider } from '@opentelemetry/api'
import { compileIpRules, type HostBitsWarning, type IpMatcher } from './admit/ip.js'
import { type AllowIpsEntry, compileAllowIps, type IpRuleSource } from './admit/ip-source.js'
import type { TenantSource } from './admit/tenant.js'
import type { DedupeStore } from './dedupe/store.js'
import type { EventField } from './event/event-field.js'
import type { StandardSchemaV1 } from './event/standard-schema.js'
import type { GuardHooks } from './observe/observer.js'
import type { ShapedReply } from './respond/shaped-reply.js'
import type { EventOf, Logger, WebhookEvent } from './types.js'
import {
  booleanOption,
  headerName,
  keptHeaderNames,
  nonEmptyString,
  oneOf,
  optionError,
  positiveInteger,
  positiveNumber,
  requireOptions,
  timerMs,
} from './verify/option-checks.js'
import type { Verifier } from './verify/verifier.js'

/** One Standard Schema (zod, valibot, arktype, …) per event type; each validates that type's payload. */
export type EventSchemas<Events> = { readonly [Type in keyof Events]: StandardSchemaV1<unknown, Events[Type]> }

/**
 * Everything `createGuard` accepts. Only `verify` and `enqueue` are required;
 * the defaults are written beside each option. `Events` maps event types to
 * payload types (given, or inferred from `events`); `never`, the default,
 * leaves events untyped.
 */
export interface GuardOptions<Id extends string | null = string | null, Events = never> extends GuardHooks<Id> {
  /** Every verifier must pass (bearer token, JWT, signature, client certificate). At least one. */
  verify: readonly Verifier[]
  /**
   * Hands an accepted event to your queue. The guard answers 2xx only after
   * this resolves; a rejection or timeout answers 503 so the sender retries.
   * Throw `QueueFullError` to answer 503 `queue_full`.
   */
  enqueue: (event: EventOf<Events, Id>) => unknown
  /**
   * A Standard Schema per event type: after verification and before dedupe,
   * the payload of an event of that type is validated, and the schema's
   * output becomes `event.payload`. Only these types are enqueued; any other
   * is answered 200 `ignored`. A payload that fails its schema is answered
   * `invalid_payload` (see `invalidPayloadStatus`) and handed to `onInvalid`.
   * Default: none (every type, payload unchecked).
   *
   * @example
   * ```ts
   * events: { 'scan.completed': z.object({ type: z.literal('scan.completed'), data: z.object({ scanId: z.string() }) }) }
   * ```
   */
  events?: EventSchemas<Events>
  /**
   * The only event types enqueued; any other (or a delivery without a type)
   * is answered 200 `ignored`, so the sender stops retrying it. Default: all.
   */
  allowTypes?: readonly string[]
  /** Event types answered 200 `ignored` without being enqueued. Default: none. */
  ignoreTypes?: readonly string[]
  /**
   * The dead-letter handoff for a payload that failed its schema (an
   * authenticated sender's bug, which a retry would not fix): the event with
   * the payload as it arrived, and the schema's issues. Awaited (within
   * `enqueueTimeoutMs`) before the answer; a failure answers 503
   * `dead_letter_failed`, so the sender retries and nothing is lost.
   */
  onInvalid?: (event: WebhookEvent<Id>, issues: readonly StandardSchemaV1.Issue[]) => unknown
  /**
   * The status of `invalid_payload`: 200 (default: the sender stops retrying
   * a payload it will only send again), or 400 / 422 for a sender that should
   * see a failure in its delivery log (and may retry it).
   */
  invalidPayloadStatus?: 200 | 400 | 422
  /**
   * Source addresses allowed, as IPv4/IPv6 addresses or CIDR ranges. A range
   * with host bits set (`203.0.113.7/24`) is read as its network and logged
   * once through `logger.warn`. Entries may also be rule sources such as
   * `providerIps('github')`, whose list can change while the guard runs
   * (`allowIps: [providerIps('github'), '10.0.0.0/8']`). Default: any.
   */
  allowIps?: readonly AllowIpsEntry[] | IpRuleSource
  /** Proxies whose `X-Forwarded-For` is believed, in the same form as `allowIps`. Default: none (the socket address is the client). */
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
  /**
   * Shapes the 2xx answer after a successful handoff, for a sender that
   * expects more than hookguard's 202 JSON (Twilio's TwiML `<Response/>`, a
   * text body): return `{ status?, headers?, body? }`, or nothing for the
   * normal answer. It runs only once `enqueue` resolved and the event is
   * marked done (never for a duplicate, a handshake or a refusal), so it
   * cannot turn a failure into a 2xx. A status outside 200–299, a framing
   * header (`content-length`, `transfer-encoding`, `connection`), a throw, or
   * taking longer than `respondTimeoutMs` sends the normal answer instead and
   * logs `respond_failed` at `warn`. Default: none.
   *
   * @example
   * ```ts
   * respond: () => ({ status: 200, headers: { 'content-type': 'text/xml' }, body: '<Response/>' })
   * ```
   */
  respond?: (event: WebhookEvent<Id>) => ShapedReply | undefined | PromiseLike<ShapedReply | undefined>
  /** How long `respond` may take, in ms (at most 2 147 483 647). Default 1 000. */
  respondTimeoutMs?: number
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
  /** Longest pause between body bytes, in ms (at most 2 147 483 647, a timer's limit). Default 10 000. */
  bodyTimeoutMs?: number
  /**
   * Longest time the whole body may take to arrive, in ms, however steadily
   * it trickles (408 `body_timeout`). Default 30 000.
   */
  bodyDeadlineMs?: number
  /** How long `enqueue` may take, in ms (at most 2 147 483 647, a timer's limit). Default 3 000. */
  enqueueTimeoutMs?: number
  /** Timestamp tolerance in seconds, both directions, inclusive. Default 300. */
  toleranceSeconds?: number
  /** How long a processed id is remembered, in ms. Default 96 h. */
  dedupeTtlMs?: number
  /** How long a claim on an id being processed lasts, in ms. Default 30 000. */
  leaseMs?: number
  /** The `Retry-After` sent with 409, 429 and 503, in whole seconds. Default 5. */
  retryAfterSeconds?: number
  /**
   * Where a request names its tenant, for one endpoint serving many: a path
   * parameter (`{ param: 'tenant' }` on `/hooks/:tenant`), a header, or a
   * claim of a JWT a verifier checked (`{ claim: 'tenant_id' }`; verifiers
   * after that one see the tenant). The tenant must be 1-128 letters, digits,
   * `.`, `_` or `-` (else 400 `invalid_tenant`, before any key lookup); it is
   * handed to key resolvers, put on `event.tenant`, on every log record and
   * metric, and in the dedupe key, so two tenants' event ids never meet.
   * Default: none.
   */
  tenant?: TenantSource
  /** Where the event id comes from. Default: the verifier (e.g. `webhook-id`). */
  eventId?: EventField
  /** Where the event type comes from. Default: the verifier, else the payload's `type`. */
  eventType?: EventField
  /**
   * Extra request headers copied onto the event. Headers that carry a
   * credential (`authorization`, `proxy-authorization`, `cookie`, `set-cookie`,
   * and each verifier's signature or token header) are refused.
   */
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
  respondTimeoutMs: number
  toleranceSeconds: number
  dedupeTtlMs: number
  leaseMs: number
  retryAfterSeconds: number
  namespace: string
  forwardedHeader: string
  storeFailure: 'closed' | 'open'
  decompress: boolean
  parseJson: 'eager' | 'lazy'
  allowIps: IpMatcher | undefined
  trustProxy: IpMatcher | undefined
  /** The headers copied onto the event: the defaults, the verifiers' and the user's, lower-cased, once each. */
  keptHeaders: readonly string[]
}

const where = 'createGuard'
const defaultKeptHeaders = ['content-type', 'user-agent']

/** Applies defaults and fails fast, naming the option, on anything invalid. */
export function resolveOptions(options: GuardOptions): ResolvedOptions {
  requireOptions(options, where)
  if (!Array.isArray(options.verify) || options.verify.length === 0) {
    throw optionError(where, 'verify', 'a list of at least one verifier')
  }
  options.verify.forEach((verifier, i) => {
    if (!verifier || typeof verifier.verify !== 'function') throw optionError(where, `verify[${i}]`, 'a verifier')
  })
  if (typeof options.enqueue !== 'function') throw optionError(where, 'enqueue', 'a function')
  if (options.respond !== undefined && typeof options.respond !== 'function') {
    throw optionError(where, 'respond', 'a function')
  }
  const methodList = options.methods ?? ['POST']
  if (!Array.isArray(methodList) || methodList.length === 0) {
    throw optionError(where, 'methods', 'a non-empty list of HTTP method names')
  }
  const methods = methodList.map((m, i) => {
    if (typeof m !== 'string' || !/^[A-Za-z]+$/.test(m))
      throw optionError(where, `methods[${i}]`, 'an HTTP method name')
    return m.toUpperCase()
  })
  checkCollaborators(options)
  const logger = options.logger
  const resolved: ResolvedOptions = {
    methods: new Set(methods),
    allow: methods.join(', '),
    maxBodyBytes: positiveNumber(options.maxBodyBytes ?? 1024 * 1024, where, 'maxBodyBytes'),
    bodyTimeoutMs: timerMs(options.bodyTimeoutMs ?? 10_000, where, 'bodyTimeoutMs'),
    bodyDeadlineMs: timerMs(options.bodyDeadlineMs ?? 30_000, where, 'bodyDeadlineMs'),
    enqueueTimeoutMs: timerMs(options.enqueueTimeoutMs ?? 3_000, where, 'enqueueTimeoutMs'),
    respondTimeoutMs: timerMs(options.respondTimeoutMs ?? 1_000, where, 'respondTimeoutMs'),
    toleranceSeconds: positiveNumber(options.toleranceSeconds ?? 300, where, 'toleranceSeconds'),
    dedupeTtlMs: positiveNumber(options.dedupeTtlMs ?? 96 * 3600 * 1000, where, 'dedupeTtlMs'),
    leaseMs: positiveNumber(options.leaseMs ?? 30_000, where, 'leaseMs'),
    // Retry-After is a whole number of seconds (RFC 9110).
    retryAfterSeconds: positiveInteger(options.retryAfterSeconds ?? 5, where, 'retryAfterSeconds'),
    namespace: nonEmptyString(options.namespace ?? 'hookguard', where, 'namespace'),
    forwardedHeader: headerName(options.forwardedHeader ?? 'x-forwarded-for', where, 'forwardedHeader'),
    storeFailure: oneOf(options.storeFailure ?? 'closed', ['closed', 'open'], where, 'storeFailure'),
    decompress: booleanOption(options.decompress ?? false, where, 'decompress'),
    parseJson: oneOf(options.parseJson ?? 'lazy', ['eager', 'lazy'], where, 'parseJson'),
    // (`=== undefined`, not a truthiness test: `allowIps: null` must throw, not allow every address.)
    allowIps:
      options.allowIps === undefined
        ? undefined
        : compileAllowIps(options.allowIps, 'allowIps', hostBitsWarning('allowIps', logger)),
    trustProxy:
      options.trustProxy === undefined
        ? undefined
        : compileIpRules(options.trustProxy, 'trustProxy', hostBitsWarning('trustProxy', logger)),
    keptHeaders: keptHeaders(options),
  }
  if (resolved.leaseMs <= resolved.enqueueTimeoutMs) {
    throw new TypeError(`${where}: leaseMs must be longer than enqueueTimeoutMs, or a slow enqueue could be duplicated`)
  }
  return resolved
}

/** The functions and objects the guard calls later: refused now rather than as a 500 on the first delivery. */
function checkCollaborators(options: GuardOptions): void {
  const { dedupe, logger, now } = options
  if (dedupe !== undefined && dedupe !== false) {
    const store = dedupe as Partial<DedupeStore> | null
    if (
      !store ||
      typeof store.claim !== 'function' ||
      typeof store.complete !== 'function' ||
      typeof store.release !== 'function'
    ) {
      throw optionError(where, 'dedupe', 'a dedupe store (claim, complete, release) or false')
    }
  }
  if (logger !== undefined) {
    const log = logger as Partial<Logger> | null
    if (!log || typeof log.info !== 'function' || typeof log.warn !== 'function' || typeof log.error !== 'function') {
      throw optionError(where, 'logger', 'a logger with info, warn and error functions')
    }
  }
  if (now !== undefined && typeof now !== 'function') throw optionError(where, 'now', 'a function returning ms')
  for (const hook of ['onAccepted', 'onDuplicate', 'onRejected', 'onInvalid'] as const) {
    if (options[hook] !== undefined && typeof options[hook] !== 'function') throw optionError(where, hook, 'a function')
  }
}

/** Logs, once per rule, an allowlist or trusted-proxy rule with host bits set. */
function hostBitsWarning(option: string, logger: Logger | undefined): HostBitsWarning {
  return (rule, network) => {
    logger?.warn(
      { option, rule, network },
      `${where}: ${option} rule ${rule} has host bits set; it is read as ${network}`,
    )
  }
}

/**
 * The headers copied onto the event. The user's may not name a credential
 * (`authorization`, `cookie`, …, or a verifier's own signature or token
 * header), and neither may a verifier's.
 */
function keptHeaders(options: GuardOptions): string[] {
  const credentials = options.verify.flatMap((v) => v.credentialHeaders ?? []).map((h) => h.toLowerCase())
  const fromVerifiers = options.verify.flatMap((v, i) =>
    v.keepHeaders === undefined ? [] : keptHeaderNames(v.keepHeaders, where, `verify[${i}].keepHeaders`, credentials),
  )
  const fromUser = keptHeaderNames(options.keepHeaders ?? [], where, 'keepHeaders', credentials)
  return [...new Set([...defaultKeptHeaders, ...fromVerifiers, ...fromUser])]
}
