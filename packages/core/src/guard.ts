import { missingAddressHint, refusedSourceDetail, resolveClientIp } from './admit/client-ip.js'
import { compileCredentialCheck } from './admit/credential-check.js'
import { ipText } from './admit/ip.js'
import { contentCoding, decompressBody } from './body/decompress.js'
import { readBody } from './body/read-body.js'
import { replayId } from './dedupe/dedupe-key.js'
import { createHandoff, describeError } from './dedupe/handoff.js'
import { memoryStore } from './dedupe/memory-store.js'
import type { DedupeStore } from './dedupe/store.js'
import { WebhookError } from './errors.js'
import { buildEvent, type EventSources, noParams, type Verified } from './event/build-event.js'
import { compileEventField } from './event/event-field.js'
import { ReceivedEvent } from './event/received-event.js'
import { unsignedEventFields } from './event/unsigned-event-fields.js'
import { singleHeader } from './lib/headers.js'
import { isThenable, type MaybePromise } from './lib/maybe-promise.js'
import { createObserver, Trace } from './observe/observer.js'
import { logUnwritten, type Unwritten } from './observe/unwritten.js'
import { type GuardOptions, resolveOptions } from './options.js'
import { fromWebRequest, toResponse, type WebRequestInfo } from './ports/web.js'
import { rejection } from './respond/verdict.js'
import type { Verdict, WebhookRequest } from './types.js'
import type { Verifier, VerifyContext, VerifyResult } from './verify/verifier.js'

/** A configured webhook endpoint. */
export interface Guard {
  /**
   * The core entry: a neutral request in, a verdict out. Adapters call this
   * and write the verdict; it never throws.
   */
  process(request: WebhookRequest): Promise<Verdict>
  /**
   * The Web-standard entry for fetch-style runtimes (Workers, Deno, Bun,
   * Next.js route handlers).
   *
   * @example
   * ```ts
   * export default { fetch: (request: Request) => guard.handle(request) }
   * ```
   */
  handle(request: Request, info?: WebRequestInfo): Promise<Response>
  /**
   * For adapters: the verdict of a request did not reach the sender, because
   * an earlier middleware had answered (a response timeout), the client was
   * gone, or the write threw. Logged through `logger` (`warn`; `debug` for a
   * client that left); never throws. The Node adapters call it through
   * `writeVerdict`.
   *
   * @example
   * ```ts
   * if (ctx.headerSent) guard.reportUnwritten({ reason: 'response_started', verdict })
   * ```
   */
  reportUnwritten(unwritten: Unwritten): void
  /**
   * Live counts since the guard was created, for your metrics.
   *
   * @example
   * ```ts
   * setInterval(() => metrics.gauge('webhooks.fail_open', guard.counters.failOpen), 10_000)
   * ```
   */
  readonly counters: Readonly<GuardCounters>
}

/** What {@link Guard.counters} counts. */
export interface GuardCounters {
  /** Dedupe store calls (claim, complete, release) that threw. */
  storeErrors: number
  /** Deliveries enqueued without dedupe because the store failed and `storeFailure` is `'open'`. */
  failOpen: number
}

/**
 * Creates a guard: the request pipeline of DESIGN.md with your verifiers,
 * allowlist, dedupe store and queue. Invalid options throw a `TypeError`
 * naming the option.
 *
 * @example
 * ```ts
 * import { createGuard, standardWebhooks } from '@hookguard/core'
 *
 * const guard = createGuard({
 *   verify: [standardWebhooks({ secret: process.env.WEBHOOK_SECRET! })],
 *   enqueue: async (event) => { await queue.add(event.type ?? 'webhook', event) },
 *   allowIps: ['203.0.113.0/24'],
 * })
 * const response = await guard.handle(request)
 * ```
 */
export function createGuard(options: GuardOptions): Guard {
  const config = resolveOptions(options)
  const { allowIps, trustProxy } = config
  const store: DedupeStore | undefined = options.dedupe === false ? undefined : (options.dedupe ?? memoryStore())
  // The user's id and type sources win; a sender's own conventions (a preset's `eventId`) come next.
  const eventSources: EventSources = {
    id: options.eventId ? compileEventField(options.eventId, 'eventId') : undefined,
    type: options.eventType ? compileEventField(options.eventType, 'eventType') : undefined,
    senderIds: options.verify.flatMap((v) => (v.eventId ? [compileEventField(v.eventId, `${v.name}.eventId`)] : [])),
    senderTypes: options.verify.flatMap((v) =>
      v.eventType ? [compileEventField(v.eventType, `${v.name}.eventType`)] : [],
    ),
    keptHeaders: config.keptHeaders,
    parseJson: config.parseJson,
    idRequired: store !== undefined,
  }
  const { verify: verifiers, enqueue, logger } = options
  const now = options.now ?? Date.now
  const counters: GuardCounters = { storeErrors: 0, failOpen: 0 }
  const observer = createObserver(logger, options, options.meterProvider)
  const ownStore = options.dedupe === undefined
  const maxBodyDigits = String(Math.floor(config.maxBodyBytes)).length
  const handOff = createHandoff({ config, store, ownStore, enqueue, observer, counters, logger })
  for (const unsigned of unsignedEventFields(options)) {
    logger?.warn({ option: unsigned.option, source: unsigned.source }, unsigned.message)
  }
  const requireCredentials = compileCredentialCheck(verifiers)
  // allowIps refuses every request that comes with no client address: how to pass one is told once, at warn.
  let toldMissingAddress = false

  // The log record's `verifier` for each count of verifiers run, made once.
  const verifierLabels = verifiers.map((_, i) =>
    verifiers
      .slice(0, i + 1)
      .map((v) => v.name)
      .join(','),
  )

  /** The rejection for whatever was thrown; the detail goes to the trace, for the log only. */
  function refuse(thrown: unknown, trace: Trace): Verdict {
    const error = thrown instanceof WebhookError ? thrown : new WebhookError('internal_error', describeError(thrown))
    trace.detail = error.detail
    return rejection(error.code, {
      retryAfterSeconds: config.retryAfterSeconds,
      allow: config.allow,
      closeConnection: !trace.bodyRead,
    })
  }

  /** Steps 6 and 7: the event, the dedupe claim, the handoff. */
  function accept(
    request: WebhookRequest,
    body: Uint8Array,
    verified: Verified,
    trace: Trace,
    receivedAtMs: number,
  ): MaybePromise<Verdict> {
    const event = buildEvent(request, body, trace.sourceIp, receivedAtMs, verified, eventSources)
    trace.eventId = event.id
    trace.eventType = event.typeIfKnown() ?? null
    return handOff(event, verified)
  }

  /**
   * Records what a verifier that passed learned; the first verifier to name the id, type or timestamp wins.
   * Every replay key is kept: each is claimed.
   */
  function record(verified: Verified, verifier: Verifier, result: VerifyResult): void {
    verified.id ??= result.id
    verified.type ??= result.type
    verified.timestamp ??= result.timestamp ?? null
    if (result.replayKey) {
      verified.replays ??= []
      verified.replays.push({ id: replayId(verifier.name, result.replayKey.key), ttlMs: result.replayKey.ttlMs })
    }
    verified.auth.push(result.claims ? { verifier: verifier.name, claims: result.claims } : { verifier: verifier.name })
  }

  /** Step 5 from verifier `index` on, each on the raw bytes; then on to the event. */
  function verifyFrom(
    index: number,
    request: WebhookRequest,
    context: VerifyContext,
    verified: Verified,
    trace: Trace,
  ): MaybePromise<Verdict> {
    for (let i = index; i < verifiers.length; i++) {
      const verifier = verifiers[i] as Verifier
      trace.verifier = verifierLabels[i] as string
      const result = verifier.verify(context)
      if (isThenable(result)) {
        return Promise.resolve(result).then((passed) => {
          record(verified, verifier, passed)
          return verifyFrom(i + 1, request, context, verified, trace)
        })
      }
      record(verified, verifier, result)
    }
    return accept(request, context.body, verified, trace, context.nowMs)
  }

  /** Step 5: every verifier in order, on the raw (decompressed) bytes. */
  function verify(request: WebhookRequest, body: Uint8Array, trace: Trace, receivedAtMs: number) {
    const context: VerifyContext = {
      method: request.method,
      headers: request.headers,
      body,
      params: request.params ?? noParams,
      tls: request.tls,
      nowMs: receivedAtMs,
      toleranceSeconds: config.toleranceSeconds,
    }
    return verifyFrom(
      0,
      request,
      context,
      { id: undefined, type: undefined, timestamp: null, auth: [], replays: undefined },
      trace,
    )
  }

  /**
   * Steps 1 to 4: method, source address, encoding and size, the credential
   * headers' presence, then the body. Returns the raw body, or a promise of it
   * when it is still arriving or must be decompressed.
   */
  function admit(request: WebhookRequest, trace: Trace): MaybePromise<Uint8Array> {
    const { headers } = request
    if (!config.methods.has(request.method.toUpperCase())) {
      throw new WebhookError('method_not_allowed', `method ${request.method} is not in ${config.allow}`)
    }

    const client = resolveClientIp(request.remoteAddress, headers, trustProxy, config.forwardedHeader)
    trace.sourceIp = client ? ipText(client) : null
    if (allowIps && (!client || !allowIps.matches(client))) {
      if (request.remoteAddress === undefined && !toldMissingAddress) {
        toldMissingAddress = true
        logger?.warn(
          { code: 'ip_not_allowed', detail: missingAddressHint },
          'allowIps is set but no client address was passed',
        )
      }
      throw new WebhookError('ip_not_allowed', refusedSourceDetail(request.remoteAddress, trace.sourceIp))
    }

    // A body parser that left its bytes has undone the coding already.
    const coding = request.bodyDecoded
      ? null
      : contentCoding(singleHeader(headers, 'content-encoding'), config.decompress)
    const declaredLength = singleHeader(headers, 'content-length')
    // A length with fewer digits than the limit is within it; the body read counts the bytes either way.
    if (
      declaredLength !== undefined &&
      declaredLength.length >= maxBodyDigits &&
      /^[0-9]+$/.test(declaredLength) &&
      Number(declaredLength) > config.maxBodyBytes
    ) {
      throw new WebhookError('payload_too_large', `content-length ${declaredLength} exceeds ${config.maxBodyBytes}`)
    }

    // A request with none of a verifier's credential headers cannot pass: refused before its body is read or inflated.
    requireCredentials?.(headers)

    if (request.bodyUnavailable !== undefined) throw new WebhookError('raw_body_unavailable', request.bodyUnavailable)
    const received = readBody(request.body, config.maxBodyBytes, config.bodyTimeoutMs, config.bodyDeadlineMs)
    if (!coding) return received
    return Promise.resolve(received).then((bytes) => {
      trace.bodyRead = true
      return decompressBody(bytes, coding, config.maxBodyBytes, config.bodyTimeoutMs)
    })
  }

  /** Records the outcome (log, metrics, hooks) and hands the verdict back. */
  function finish(verdict: Verdict, trace: Trace, started: number): Verdict {
    if (!observer.observed) return verdict
    // A type taken from the payload is logged when something (your enqueue, say) read it;
    // hookguard never parses the body for the log.
    if (trace.eventType === null && verdict.event instanceof ReceivedEvent) {
      trace.eventType = verdict.event.typeIfKnown() ?? null
    }
    observer.request(verdict, trace, performance.now() - started)
    return verdict
  }

  /** Steps 5 to 7 on the body, then the outcome recorded: a verdict now, or a promise when a step waits. */
  function conclude(request: WebhookRequest, body: Uint8Array, trace: Trace, receivedAtMs: number, started: number) {
    let result: MaybePromise<Verdict>
    try {
      trace.bodyRead = true
      result = verify(request, body, trace, receivedAtMs)
    } catch (thrown) {
      result = refuse(thrown, trace)
    }
    if (!isThenable(result)) return finish(result, trace, started)
    return result.then(
      (verdict) => finish(verdict, trace, started),
      (thrown: unknown) => finish(refuse(thrown, trace), trace, started),
    )
  }

  function process(request: WebhookRequest): Promise<Verdict> {
    // Timed only for someone who reads the latency (a logger, hooks, or a registered meter provider).
    const started = observer.observed ? performance.now() : 0
    const trace = new Trace()
    const receivedAtMs = now()
    let body: MaybePromise<Uint8Array>
    try {
      body = admit(request, trace)
    } catch (thrown) {
      return Promise.resolve(finish(refuse(thrown, trace), trace, started))
    }
    // The body read is the one wait on the hot path; what follows adds no promise when every step is synchronous.
    if (!isThenable(body)) return Promise.resolve(conclude(request, body, trace, receivedAtMs, started))
    return body.then(
      (bytes) => conclude(request, bytes, trace, receivedAtMs, started),
      (thrown: unknown) => finish(refuse(thrown, trace), trace, started),
    )
  }

  return {
    process,
    counters,
    reportUnwritten: (unwritten) => logUnwritten(logger, unwritten),
    async handle(request: Request, info?: WebRequestInfo): Promise<Response> {
      return toResponse(await process(fromWebRequest(request, info)))
    },
  }
}
