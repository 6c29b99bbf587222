import { buildEvent, type EventSources } from './build-event.js'
import { resolveClientIp } from './client-ip.js'
import { contentCoding, decompressBody } from './decompress.js'
import { WebhookError } from './errors.js'
import { compileEventField } from './event-field.js'
import { singleHeader } from './headers.js'
import { compileIpRules, ipText } from './ip.js'
import { createObserver } from './observer.js'
import { type GuardOptions, resolveOptions } from './options.js'
import { readBody } from './read-body.js'
import { memoryStore } from './stores/memory-store.js'
import type { ClaimResult, DedupeStore } from './stores/store.js'
import type { AuthInfo, Verdict, WebhookEvent, WebhookRequest } from './types.js'
import { accepted, duplicate, rejection } from './verdict.js'
import type { VerifyContext } from './verifier.js'
import { fromWebRequest, toResponse, type WebRequestInfo } from './web.js'

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

/** What is known about a request so far, for the log record. */
interface Trace {
  sourceIp: string | null
  eventId: string | null
  eventType: string | null
  verifiers: string[]
  bodyRead: boolean
}

const defaultKeptHeaders = ['content-type', 'user-agent']

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  )
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : 'non-error thrown'
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
  const allowIps = options.allowIps ? compileIpRules(options.allowIps, 'allowIps') : undefined
  const trustProxy = options.trustProxy ? compileIpRules(options.trustProxy, 'trustProxy') : undefined
  const store: DedupeStore | undefined = options.dedupe === false ? undefined : (options.dedupe ?? memoryStore())
  // The user's id and type sources win; a sender's own conventions (a preset's `eventId`) come next.
  const eventSources: EventSources = {
    id: options.eventId ? compileEventField(options.eventId, 'eventId') : undefined,
    type: options.eventType ? compileEventField(options.eventType, 'eventType') : undefined,
    senderIds: options.verify.flatMap((v) => (v.eventId ? [compileEventField(v.eventId, `${v.name}.eventId`)] : [])),
    senderTypes: options.verify.flatMap((v) =>
      v.eventType ? [compileEventField(v.eventType, `${v.name}.eventType`)] : [],
    ),
    keptHeaders: [
      ...new Set([
        ...defaultKeptHeaders,
        ...options.verify.flatMap((v) => v.keepHeaders ?? []),
        ...(options.keepHeaders ?? []).map((h) => h.toLowerCase()),
      ]),
    ],
    parseJson: config.parseJson,
    idRequired: store !== undefined,
  }
  const { verify: verifiers, enqueue, logger } = options
  const now = options.now ?? Date.now
  const counters: GuardCounters = { storeErrors: 0, failOpen: 0 }
  const observer = createObserver(logger, options, options.meterProvider)

  function reject(error: WebhookError, trace: Trace): Verdict {
    return rejection(error.code, {
      retryAfterSeconds: config.retryAfterSeconds,
      allow: config.allow,
      closeConnection: !trace.bodyRead,
    })
  }

  async function callEnqueue(event: WebhookEvent): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined
    try {
      const result = enqueue(event)
      // A synchronous enqueue has already finished: no timer and no race on the hot path.
      if (isThenable(result)) {
        const timeout = new Promise<never>((_, fail) => {
          timer = setTimeout(
            () => fail(new WebhookError('enqueue_timeout', `enqueue took longer than ${config.enqueueTimeoutMs} ms`)),
            config.enqueueTimeoutMs,
          )
        })
        await Promise.race([result, timeout])
      }
    } catch (error) {
      if (error instanceof WebhookError) throw error
      if (error instanceof Error && error.name === 'QueueFullError')
        throw new WebhookError('queue_full', describe(error))
      throw new WebhookError('enqueue_failed', describe(error))
    } finally {
      clearTimeout(timer)
    }
  }

  async function claim(key: string): Promise<ClaimResult | null> {
    try {
      return await (store as DedupeStore).claim(key, config.leaseMs)
    } catch (error) {
      counters.storeErrors += 1
      observer.storeError('claim')
      if (config.storeFailure === 'open') {
        counters.failOpen += 1
        observer.failOpen()
        logger?.warn(
          { code: 'store_unavailable', key, detail: describe(error) },
          'dedupe store failed; enqueuing without dedupe',
        )
        return null
      }
      throw new WebhookError('store_unavailable', describe(error))
    }
  }

  async function settle(action: () => void | Promise<void>, what: 'complete' | 'release'): Promise<void> {
    try {
      await action()
    } catch (error) {
      counters.storeErrors += 1
      observer.storeError(what)
      logger?.warn(
        { code: 'store_unavailable', detail: `${what}: ${describe(error)}` },
        `dedupe store failed to ${what}`,
      )
    }
  }

  async function run(request: WebhookRequest, trace: Trace, receivedAtMs: number): Promise<Verdict> {
    const { headers } = request
    if (!config.methods.has(request.method.toUpperCase())) {
      throw new WebhookError('method_not_allowed', `method ${request.method} is not in ${config.allow}`)
    }

    const client = resolveClientIp(request.remoteAddress, headers, trustProxy, config.forwardedHeader)
    trace.sourceIp = client ? ipText(client) : null
    if (allowIps && (!client || !allowIps.matches(client))) {
      throw new WebhookError('ip_not_allowed', `source ${trace.sourceIp ?? 'unknown'} is not in allowIps`)
    }

    const coding = contentCoding(singleHeader(headers, 'content-encoding'), config.decompress)
    const declaredLength = singleHeader(headers, 'content-length')
    if (
      declaredLength !== undefined &&
      /^[0-9]+$/.test(declaredLength) &&
      Number(declaredLength) > config.maxBodyBytes
    ) {
      throw new WebhookError('payload_too_large', `content-length ${declaredLength} exceeds ${config.maxBodyBytes}`)
    }

    if (request.bodyUnavailable !== undefined) throw new WebhookError('raw_body_unavailable', request.bodyUnavailable)
    const received = await readBody(request.body, config.maxBodyBytes, config.bodyTimeoutMs)
    trace.bodyRead = true
    const body = coding ? await decompressBody(received, coding, config.maxBodyBytes, config.bodyTimeoutMs) : received

    const params = request.params ?? {}
    const verifyContext: VerifyContext = {
      method: request.method,
      headers,
      body,
      params,
      tls: request.tls,
      nowMs: receivedAtMs,
      toleranceSeconds: config.toleranceSeconds,
    }
    let verifiedId: string | undefined
    let verifiedType: string | undefined
    let timestamp: number | null = null
    const auth: AuthInfo[] = []
    for (const verifier of verifiers) {
      trace.verifiers.push(verifier.name)
      const result = await verifier.verify(verifyContext)
      verifiedId ??= result.id
      verifiedType ??= result.type
      timestamp ??= result.timestamp ?? null
      auth.push(result.claims ? { verifier: verifier.name, claims: result.claims } : { verifier: verifier.name })
    }

    const { event, knownType } = buildEvent(
      {
        method: request.method,
        path: request.path,
        params,
        headers,
        body,
        sourceIp: trace.sourceIp,
        receivedAtMs,
        verifiedId,
        verifiedType,
        timestamp,
        auth,
      },
      eventSources,
    )
    const { id } = event
    trace.eventId = id
    trace.eventType = knownType

    const key = `${config.namespace}:${id}`
    const claimed = store && id !== null ? await claim(key) : null
    if (claimed?.status === 'done') return duplicate()
    if (claimed?.status === 'in_flight')
      throw new WebhookError('in_flight', 'another delivery of this id is being processed')

    try {
      await callEnqueue(event)
    } catch (error) {
      if (claimed) await settle(() => (store as DedupeStore).release(key, claimed.token), 'release')
      throw error
    }
    if (claimed) await settle(() => (store as DedupeStore).complete(key, claimed.token, config.dedupeTtlMs), 'complete')
    return accepted(event)
  }

  async function process(request: WebhookRequest): Promise<Verdict> {
    const started = performance.now()
    const trace: Trace = { sourceIp: null, eventId: null, eventType: null, verifiers: [], bodyRead: false }
    let verdict: Verdict
    let detail: string | undefined
    try {
      verdict = await run(request, trace, now())
    } catch (thrown) {
      const error = thrown instanceof WebhookError ? thrown : new WebhookError('internal_error', describe(thrown))
      detail = error.detail
      verdict = reject(error, trace)
    }
    observer.request(verdict, {
      status: verdict.status,
      code: verdict.code,
      eventId: trace.eventId,
      eventType: trace.eventType,
      sourceIp: trace.sourceIp,
      verifier: trace.verifiers.join(',') || null,
      latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
      detail,
    })
    return verdict
  }

  return {
    process,
    counters,
    async handle(request: Request, info?: WebRequestInfo): Promise<Response> {
      return toResponse(await process(fromWebRequest(request, info)))
    },
  }
}
