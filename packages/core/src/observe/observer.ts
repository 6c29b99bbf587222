import { createNoopMeter, type Meter, type MeterProvider, metrics } from '@opentelemetry/api'
import type { VerdictCode } from '../errors.js'
import type { HeaderBag } from '../lib/headers.js'
import type { Logger, Verdict, WebhookEvent } from '../types.js'
import { unverifiedIdOf } from './sender-id.js'

/** What the guard knows about a finished request. */
export interface RequestOutcome {
  status: number
  code: VerdictCode
  eventId: string | null
  /**
   * For a delivery refused before its event was built (`eventId` is `null`):
   * the id the sender put in its id header (`webhook-id`, your `eventId`
   * header, …), not verified, so a refusal can be found in the sender's
   * delivery log. Absent otherwise.
   */
  unverifiedEventId?: string
  eventType: string | null
  sourceIp: string | null
  /** Names of the verifiers that ran, comma-separated, or `null`. */
  verifier: string | null
  latencyMs: number
  /** The tenant the request named (the guard's `tenant` option), or `null`. */
  tenant: string | null
  /** Developer-facing detail (never secrets, signatures or bodies). */
  detail?: string
}

/** Callbacks for your own bookkeeping; they run after the answer is decided and cannot change it. */
export interface GuardHooks<Id extends string | null = string | null> {
  /** An event was enqueued and answered 202. */
  onAccepted?: (event: WebhookEvent<Id>, outcome: RequestOutcome) => void
  /** A delivery of an already processed id answered 200. */
  onDuplicate?: (outcome: RequestOutcome) => void
  /** A delivery was refused (any 4xx or 5xx). */
  onRejected?: (outcome: RequestOutcome) => void
}

/** What the log record and the hooks report of a request, gathered as it goes through the pipeline. */
export interface RequestRecord {
  readonly sourceIp: string | null
  readonly eventId: string | null
  readonly eventType: string | null
  /** The verifiers that ran, comma-separated. */
  readonly verifier: string | null
  /** Developer-facing detail of a rejection. */
  readonly detail: string | undefined
  /** The request, for the id header of a delivery refused before its event was built. */
  readonly request?: { readonly headers: HeaderBag }
  /** The tenant the request named, or `null`. */
  readonly tenant: string | null
}

/** Logs, metrics and hooks for every request. */
export interface Observer {
  /**
   * Whether anything reads the outcome of a request: a logger, a hook, or a
   * meter provider that is not the API's no-op one. When nothing does, the
   * guard neither times requests nor calls `request`.
   */
  readonly observed: boolean
  request(verdict: Verdict, record: RequestRecord, latencyMs: number): void
  storeError(operation: 'claim' | 'complete' | 'release'): void
  /** A delivery enqueued without dedupe because the store failed and `storeFailure` is `'open'`. */
  failOpen(): void
}

/**
 * Records one log record, the OpenTelemetry metrics and the hooks per request.
 * Metrics go through `@opentelemetry/api`: a no-op until an SDK registers a
 * meter provider (register it before creating the guard, or pass one).
 */
export function createObserver(
  logger: Logger | undefined,
  hooks: GuardHooks,
  meterProvider?: MeterProvider,
  idHeaders: readonly string[] = [],
): Observer {
  // Long for a reason: the instruments, the log and the hooks share what is built here once per guard;
  // each recorder inside is a few lines.
  const meter = (meterProvider ?? metrics.getMeterProvider()).getMeter('@hookguard/core')
  const instruments = createInstruments(meter)
  // Whether anyone reads a request's outcome record: a logger or a hook.
  const reads =
    logger !== undefined ||
    hooks.onAccepted !== undefined ||
    hooks.onDuplicate !== undefined ||
    hooks.onRejected !== undefined
  // One attribute set per code (and per handshake sender), made once: a small fixed set.
  const attributesByCode = new Map<string, Readonly<Record<string, string>>>()
  const causeShown = causeGate(causeIntervalMs)

  return {
    // Without an SDK the API hands out its one no-op meter.
    observed: reads || meter !== createNoopMeter(),
    request(verdict: Verdict, record: RequestRecord, latencyMs: number): void {
      const outcomeName = verdict.status < 300 ? verdict.code : 'rejected'
      // A handshake is counted per sender: its verifier's name is one of a few, fixed at creation.
      const handshakeOf = verdict.code === 'handshake' ? (record.verifier ?? '') : undefined
      const attributesKey = handshakeOf === undefined ? verdict.code : `handshake:${handshakeOf}`
      let attributes = attributesByCode.get(attributesKey)
      if (attributes === undefined) {
        attributes = Object.freeze({
          'hookguard.outcome': outcomeName,
          'hookguard.code': verdict.code,
          ...(handshakeOf === undefined ? {} : { 'hookguard.verifier': handshakeOf }),
        })
        attributesByCode.set(attributesKey, attributes)
      }
      // A tenant is one of many: its attribute set is made per request, not kept.
      if (record.tenant !== null) attributes = { ...attributes, 'hookguard.tenant': record.tenant }
      instruments.count(verdict, latencyMs, attributes)
      // The record is built only for someone who reads it.
      if (!reads) return
      const outcome: RequestOutcome = {
        status: verdict.status,
        code: verdict.code,
        eventId: record.eventId,
        eventType: record.eventType,
        sourceIp: record.sourceIp,
        verifier: record.verifier,
        latencyMs: Math.round(latencyMs * 1000) / 1000,
        tenant: record.tenant,
        detail: record.detail,
      }
      if (record.eventId === null && verdict.status >= 400 && record.request !== undefined) {
        const unverified = unverifiedIdOf(record.request.headers, idHeaders)
        if (unverified !== undefined) outcome.unverifiedEventId = unverified
      }
      if (logger) logOutcome(logger, outcomeName, outcome, causeShown)
      callHooks(hooks, logger, verdict, outcome)
    },
    storeError(operation): void {
      instruments.storeErrors.add(1, { 'hookguard.operation': operation })
    },
    failOpen(): void {
      instruments.failOpens.add(1)
    },
  }
}

/** The OpenTelemetry instruments, made once per guard, and what one request adds to them. */
function createInstruments(meter: Meter) {
  const requests = meter.createCounter('hookguard.requests', {
    description: 'Webhook deliveries by outcome and code',
  })
  const duration = meter.createHistogram('hookguard.request.duration', {
    description: 'Time from request to answer',
    unit: 's',
    advice: { explicitBucketBoundaries: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] },
  })
  const dedupeHits = meter.createCounter('hookguard.dedupe.hits', {
    description: 'Deliveries answered from the dedupe store (duplicate or in flight)',
  })
  const enqueueFailures = meter.createCounter('hookguard.enqueue.failures', {
    description: 'enqueue calls that failed, timed out or found the queue full',
  })
  return {
    storeErrors: meter.createCounter('hookguard.store.errors', { description: 'Dedupe store calls that failed' }),
    failOpens: meter.createCounter('hookguard.store.fail_open', {
      description: "Deliveries enqueued without dedupe because the store failed (storeFailure: 'open')",
    }),
    count(verdict: Verdict, latencyMs: number, attributes: Readonly<Record<string, string>>): void {
      requests.add(1, attributes)
      duration.record(latencyMs / 1000, attributes)
      if (verdict.code === 'duplicate' || verdict.code === 'in_flight') dedupeHits.add(1, attributes)
      if (verdict.code.startsWith('enqueue_') || verdict.code === 'queue_full') enqueueFailures.add(1, attributes)
    },
  }
}

/** How often each code's likely cause is logged at `warn` after its first: once a minute. */
const causeIntervalMs = 60_000

/** Whether a code's cause is due at `warn`: its first time, then once per `intervalMs`, per code. */
function causeGate(intervalMs: number): (code: VerdictCode) => boolean {
  const nextByCode = new Map<VerdictCode, number>()
  return (code) => {
    const now = Date.now()
    if (now < (nextByCode.get(code) ?? 0)) return false
    nextByCode.set(code, now + intervalMs)
    return true
  }
}

/**
 * One log record per request: 5xx at `error` with its detail, 4xx (and
 * `invalid_payload`, whatever its status) at `warn`, the rest at `info`. The
 * first 4xx of each code, then one a minute per code, carries its detail
 * (the likely cause: a re-serialised body, a wrong secret encoding, the clock
 * offset, a stripped header) on the `warn` line; the others put it on a
 * separate `debug` record.
 */
function logOutcome(
  logger: Logger,
  outcomeName: string,
  outcome: RequestOutcome,
  causeShown: (code: VerdictCode) => boolean,
): void {
  const { detail, ...summary } = outcome
  const record = { outcome: outcomeName, ...summary }
  const message = `webhook ${outcome.code}`
  // Server-side failures need an operator: their detail rides on the record itself.
  if (outcome.status >= 500) {
    logger.error({ ...record, detail }, message)
    return
  }
  const warns = outcome.status >= 400 || outcome.code === 'invalid_payload'
  if (warns && detail !== undefined && causeShown(outcome.code)) {
    logger.warn({ ...record, detail }, `${message}: ${detail}`)
    return
  }
  if (warns) logger.warn(record, message)
  else logger.info(record, message)
  if (detail !== undefined) logger.debug?.({ ...record, detail }, `${message}: detail`)
}

/** The hook for the outcome; one that throws is logged and cannot change the answer. */
function callHooks(hooks: GuardHooks, logger: Logger | undefined, verdict: Verdict, outcome: RequestOutcome): void {
  const call = (name: keyof GuardHooks, run: () => void) => {
    try {
      run()
    } catch (error) {
      logger?.warn({ hook: name, detail: error instanceof Error ? error.message : 'non-error thrown' }, 'hook threw')
    }
  }
  const { event } = verdict
  if (event && hooks.onAccepted) call('onAccepted', () => hooks.onAccepted?.(event, outcome))
  else if (verdict.code === 'duplicate' && hooks.onDuplicate) call('onDuplicate', () => hooks.onDuplicate?.(outcome))
  else if (verdict.status >= 400 && hooks.onRejected) call('onRejected', () => hooks.onRejected?.(outcome))
}
