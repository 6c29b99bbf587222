import { allowClientAddress } from './admit/client-address.js'
import { checkDeclaredBody } from './admit/declared-body.js'
import { allowMethod } from './admit/method.js'
import { readRawBody } from './body/raw-body.js'
import { claimKeys } from './dedupe/claim.js'
import { enqueueThenAnswer } from './dedupe/enqueue.js'
import type { DedupeStore } from './dedupe/store.js'
import { Delivery } from './delivery.js'
import { WebhookError } from './errors.js'
import { buildTheEvent } from './event/build-event.js'
import { describeError } from './lib/describe-error.js'
import { runSteps, type Step } from './lib/run-steps.js'
import { logUnwritten, type Unwritten } from './observe/unwritten.js'
import type { GuardOptions } from './options.js'
import { type GuardCounters, type GuardParts, resolveGuard } from './parts.js'
import { fromWebRequest, toResponse, type WebRequestInfo } from './ports/web.js'
import { rejection } from './respond/verdict.js'
import type { Verdict, WebhookRequest } from './types.js'
import { authenticate } from './verify/authenticate.js'

export type { GuardCounters } from './parts.js'

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
   * Drops the keys the verifiers' key resolvers returned for `tenant` (every
   * tenant's, without one), so its next request looks them up again: call it
   * when a customer rotates a secret.
   *
   * @example
   * ```ts
   * await db.query('update tenants set secret = $1 where id = $2', [newSecret, tenant])
   * guard.invalidate(tenant)
   * ```
   */
  invalidate(tenant?: string): void
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

/**
 * The request pipeline, one step a line, in the order they run (the README's
 * "How the core is organised"). Each takes the delivery so far and the
 * guard's parts; a step that waits (the body arriving, Redis, a key set, your
 * queue) returns a promise, and a step that answers early (a duplicate)
 * returns the verdict. A refusal is thrown.
 */
const steps: readonly Step<Delivery, GuardParts, Verdict>[] = [
  allowMethod, //        1. the method is allowed (405)
  allowClientAddress, // 2. the client address is in the allowlist (403)
  checkDeclaredBody, //  3. declared size (413), coding (415), credentials present (401), tenant named (400), before any byte is read
  readRawBody, //        4. the raw body, counted against the limit, the idle timeout and the deadline
  authenticate, //       5. every verifier passes, its keys looked up first (401, 403; a key set or lookup down is 503)
  buildTheEvent, //      6. the event: id, type, timestamp, payload (type not taken → 200 ignored; schema fails → invalid_payload)
  claimKeys, //          7. dedupe claim: done → 200 duplicate, in flight → 409
  enqueueThenAnswer, //  8. enqueue with a timeout → 202; failure or timeout → 503
]

/**
 * Creates a guard: the request pipeline, with your verifiers,
 * allowlist, dedupe store and queue. Invalid options throw a `TypeError`
 * naming the option. While dedupe is on, `event.id` is typed `string`.
 *
 * Events are typed by a map of event types to payload types, given
 * (`createGuard<{ 'scan.completed': ScanDone }>`, a promise the guard does not
 * check unless `allowTypes` or `events` is set) or inferred from `events`, a
 * Standard Schema per type (checked): inside `enqueue`, `event.type` narrows
 * `event.payload`.
 *
 * @example
 * ```ts
 * import { createGuard, standardWebhooks } from '@hookguard/core'
 * import { z } from 'zod'
 *
 * const guard = createGuard({
 *   verify: [standardWebhooks({ secret: process.env.WEBHOOK_SECRET! })],
 *   events: { 'scan.completed': z.object({ data: z.object({ scanId: z.string() }) }) },
 *   enqueue: async (event) => { await queue.add(event.type, event.payload.data.scanId) },
 *   allowIps: ['203.0.113.0/24'],
 * })
 * const response = await guard.handle(request, { remoteAddress })
 * ```
 */
export function createGuard<Events = never>(options: GuardOptions<string | null, Events> & { dedupe: false }): Guard
export function createGuard<Events = never>(options: GuardOptions<string, Events> & { dedupe?: DedupeStore }): Guard
export function createGuard<Events = never>(options: GuardOptions<string | null, Events>): Guard
export function createGuard(options: GuardOptions<never, unknown>): Guard {
  // The overloads promise `event.id: string` while dedupe is on: step 6 refuses a delivery without an id then.
  const parts = resolveGuard(options as unknown as GuardOptions)
  const { observer } = parts

  function process(request: WebhookRequest): Promise<Verdict> {
    // Timed only for someone who reads the latency (a logger, hooks, or a registered meter provider).
    const delivery = new Delivery(request, parts.now(), observer.observed ? performance.now() : 0)
    const answer = runSteps(
      steps,
      delivery,
      parts,
      (verdict) => finish(verdict, delivery, parts),
      (thrown) => finish(refuse(thrown, delivery, parts), delivery, parts),
    )
    return Promise.resolve(answer)
  }

  return {
    process,
    counters: parts.counters,
    reportUnwritten: (unwritten) => logUnwritten(parts.logger, unwritten),
    invalidate(tenant?: string): void {
      for (const verifier of parts.verifiers) verifier.invalidate?.(tenant)
    },
    async handle(request: Request, info?: WebRequestInfo): Promise<Response> {
      return toResponse(await process(fromWebRequest(request, info)))
    },
  }
}

/** The rejection for whatever a step threw; its detail goes to the record, for the log only. */
function refuse(thrown: unknown, delivery: Delivery, { config }: GuardParts): Verdict {
  const error = thrown instanceof WebhookError ? thrown : new WebhookError('internal_error', describeError(thrown))
  delivery.detail = error.detail
  return rejection(error.code, {
    retryAfterSeconds: config.retryAfterSeconds,
    allow: config.allow,
    closeConnection: !delivery.bodyRead,
  })
}

/** Records the outcome (log, metrics, hooks) and hands the verdict back. */
function finish(verdict: Verdict, delivery: Delivery, { observer }: GuardParts): Verdict {
  if (!observer.observed) return verdict
  // A type taken from the payload is logged when something (your enqueue, say) read it;
  // hookguard never parses the body for the log.
  if (delivery.eventType === null) delivery.eventType = delivery.event?.typeIfKnown() ?? null
  observer.request(verdict, delivery, performance.now() - delivery.startedAt)
  return verdict
}
