import type { Delivery } from '../delivery.js'
import { WebhookError } from '../errors.js'
import type { ReceivedEvent } from '../event/received-event.js'
import { describeError } from '../lib/describe-error.js'
import { andThen, isThenable, type MaybePromise } from '../lib/maybe-promise.js'
import type { GuardParts } from '../parts.js'
import { shapeAccepted } from '../respond/shaped-reply.js'
import { accepted } from '../respond/verdict.js'
import type { Verdict } from '../types.js'
import { completeHeld, type HeldKeys, nothingHeld, releaseHeld } from './held-keys.js'

/**
 * Step 8: hands the event to `enqueue`, then marks the held keys done and
 * answers 202, or frees them and answers 503 when `enqueue` failed, so the
 * sender's retry is taken. An `enqueue` that outlives `enqueueTimeoutMs` is
 * answered 503 `enqueue_timeout` but keeps its keys until it settles: a late
 * success makes the retry a duplicate, a late failure frees them. Once the
 * keys are done, `respond` (when given) shapes the 2xx.
 */
export function enqueueThenAnswer(delivery: Delivery, parts: GuardParts): MaybePromise<Verdict> {
  const event = delivery.event as ReceivedEvent
  const held = delivery.held ?? nothingHeld
  let pending: unknown
  try {
    pending = parts.enqueue(event)
  } catch (error) {
    return releaseThenFail(held, parts, error)
  }
  // A synchronous enqueue has finished already: no timer and no race on the hot path.
  if (!isThenable(pending)) return completeThenAnswer(held, parts, event)
  return finishesInTime(pending, parts.config.enqueueTimeoutMs).then(
    (inTime) =>
      inTime ? completeThenAnswer(held, parts, event) : keepUntilSettled(held, parts, pending as PromiseLike<unknown>),
    (error: unknown) => releaseThenFail(held, parts, error),
  )
}

/** Marks the held keys done, then answers; a store that completes now adds no closure. */
function completeThenAnswer(held: HeldKeys, parts: GuardParts, event: ReceivedEvent): MaybePromise<Verdict> {
  return andThen(completeHeld(held, parts), answer, event, parts)
}

/** 202, or what `respond` shapes it into; asked only now that the event is handed off and marked done. */
function answer(_: unknown, event: ReceivedEvent, parts: GuardParts): MaybePromise<Verdict> {
  const verdict = accepted(event)
  return parts.respond ? shapeAccepted(verdict, parts.respond, parts.config.respondTimeoutMs, parts.logger) : verdict
}

/** Whether a pending enqueue settles within `timeoutMs`: `true` when it resolved, `false` when time ran out. */
function finishesInTime(pending: PromiseLike<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs)
  })
  return Promise.race([Promise.resolve(pending).then(() => true), timeout]).finally(() => clearTimeout(timer))
}

/** The enqueue outlived its timeout: 503 now; the keys are marked done or freed once it settles. */
function keepUntilSettled(held: HeldKeys, parts: GuardParts, pending: PromiseLike<unknown>): never {
  Promise.resolve(pending).then(
    () => completeHeld(held, parts),
    (error: unknown) => {
      parts.logger?.warn({ code: 'enqueue_failed', detail: describeError(error) }, 'enqueue failed after its timeout')
      return releaseHeld(held, parts)
    },
  )
  throw new WebhookError('enqueue_timeout', `enqueue took longer than ${parts.config.enqueueTimeoutMs} ms`)
}

/** Frees the keys held, then fails with what `enqueue` threw, as its 503. */
function releaseThenFail(held: HeldKeys, parts: GuardParts, failure: unknown): MaybePromise<never> {
  return andThen(releaseHeld(held, parts), (): never => {
    throw enqueueError(failure)
  })
}

function enqueueError(error: unknown): WebhookError {
  if (error instanceof WebhookError) return error
  if (error instanceof Error && error.name === 'QueueFullError') {
    return new WebhookError('queue_full', describeError(error))
  }
  return new WebhookError('enqueue_failed', describeError(error))
}
