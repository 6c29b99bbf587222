import { WebhookError } from './errors.js'
import { andThen, isThenable, type MaybePromise, recover } from './maybe-promise.js'
import type { Observer } from './observer.js'
import type { ResolvedOptions } from './options.js'
import type { ClaimResult, DedupeStore } from './stores/store.js'
import type { Logger, Verdict, WebhookEvent } from './types.js'
import { accepted, duplicate } from './verdict.js'

/** What the handoff needs from its guard. */
export interface HandoffParts {
  config: Pick<ResolvedOptions, 'namespace' | 'leaseMs' | 'dedupeTtlMs' | 'enqueueTimeoutMs' | 'storeFailure'>
  store: DedupeStore | undefined
  /** The store is the guard's own (the default memory store): no other guard shares it, so keys need no namespace. */
  ownStore: boolean
  enqueue: (event: WebhookEvent) => unknown
  observer: Observer
  counters: { storeErrors: number; failOpen: number }
  logger: Logger | undefined
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : 'non-error thrown'
}

function enqueueError(error: unknown): WebhookError {
  if (error instanceof WebhookError) return error
  if (error instanceof Error && error.name === 'QueueFullError') {
    return new WebhookError('queue_full', describeError(error))
  }
  return new WebhookError('enqueue_failed', describeError(error))
}

/**
 * Step 7 of the pipeline: claim the event id in the dedupe store, hand the
 * event to `enqueue`, then mark the id done, or free it again when `enqueue`
 * failed so the sender's retry is taken.
 */
export function createHandoff(parts: HandoffParts): (event: WebhookEvent) => MaybePromise<Verdict> {
  // A shared store tells guards apart by the namespace. The guard's own store holds only its ids: keyed by the id
  // itself, it builds no string per delivery.
  const { config, store, ownStore, enqueue, observer, counters, logger } = parts

  /** Calls `enqueue`; a synchronous one has finished already: no timer and no race on the hot path. */
  function callEnqueue(event: WebhookEvent): MaybePromise<void> {
    let result: unknown
    try {
      result = enqueue(event)
    } catch (error) {
      throw enqueueError(error)
    }
    if (!isThenable(result)) return
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_, fail) => {
      timer = setTimeout(
        () => fail(new WebhookError('enqueue_timeout', `enqueue took longer than ${config.enqueueTimeoutMs} ms`)),
        config.enqueueTimeoutMs,
      )
    })
    return Promise.race([result, timeout]).then(
      () => clearTimeout(timer),
      (error: unknown) => {
        clearTimeout(timer)
        throw enqueueError(error)
      },
    )
  }

  function storeFailed(what: 'claim' | 'complete' | 'release', error: unknown): void {
    counters.storeErrors += 1
    observer.storeError(what)
    if (what !== 'claim') {
      logger?.warn(
        { code: 'store_unavailable', detail: `${what}: ${describeError(error)}` },
        `dedupe store failed to ${what}`,
      )
    }
  }

  /** The claim failed: `null` (enqueue without dedupe) when `storeFailure` is `'open'`, otherwise 503. */
  function claimFailed(error: unknown, key: string): null {
    storeFailed('claim', error)
    if (config.storeFailure !== 'open') throw new WebhookError('store_unavailable', describeError(error))
    counters.failOpen += 1
    observer.failOpen()
    logger?.warn(
      { code: 'store_unavailable', key, detail: describeError(error) },
      'dedupe store failed; enqueuing without dedupe',
    )
    return null
  }

  /** Enqueues, then answers 202. */
  function enqueueUnclaimed(event: WebhookEvent): MaybePromise<Verdict> {
    return andThen(callEnqueue(event), () => accepted(event))
  }

  /** What the claim said: a duplicate, one in flight, or the key is ours to enqueue under. */
  function afterClaim(dedupe: DedupeStore, event: WebhookEvent, key: string, claimed: ClaimResult | null) {
    if (claimed === null) return enqueueUnclaimed(event)
    if (claimed.status === 'done') return duplicate()
    if (claimed.status === 'in_flight') {
      throw new WebhookError('in_flight', 'another delivery of this id is being processed')
    }
    return enqueueClaimed(dedupe, event, key, claimed.token)
  }

  /** Marks the key done, then answers 202: the event is enqueued even if the store fails now. */
  function completeThenAccept(dedupe: DedupeStore, event: WebhookEvent, key: string, token: string) {
    let completed: MaybePromise<void>
    try {
      completed = dedupe.complete(key, token, config.dedupeTtlMs)
    } catch (error) {
      storeFailed('complete', error)
      return accepted(event)
    }
    if (!isThenable(completed)) return accepted(event)
    return Promise.resolve(completed).then(
      () => accepted(event),
      (error: unknown) => {
        storeFailed('complete', error)
        return accepted(event)
      },
    )
  }

  /** Frees the key for the sender's retry, then fails with the enqueue's error. */
  function releaseThenFail(
    dedupe: DedupeStore,
    key: string,
    token: string,
    enqueueFailure: unknown,
  ): MaybePromise<never> {
    const fail = (): never => {
      throw enqueueFailure
    }
    return andThen(
      recover(
        () => dedupe.release(key, token),
        (error) => storeFailed('release', error),
      ),
      fail,
    )
  }

  /** Enqueues under a claim: completes the key when `enqueue` succeeded, releases it when not. */
  function enqueueClaimed(dedupe: DedupeStore, event: WebhookEvent, key: string, token: string) {
    let enqueued: MaybePromise<void>
    try {
      enqueued = callEnqueue(event)
    } catch (error) {
      return releaseThenFail(dedupe, key, token, error)
    }
    if (!isThenable(enqueued)) return completeThenAccept(dedupe, event, key, token)
    return enqueued.then(
      () => completeThenAccept(dedupe, event, key, token),
      (error: unknown) => releaseThenFail(dedupe, key, token, error),
    )
  }

  // Without closures on the path where every step is synchronous (the memory store, an in-process queue).
  return function handOff(event: WebhookEvent): MaybePromise<Verdict> {
    if (!store || event.id === null) return enqueueUnclaimed(event)
    const key = ownStore ? event.id : `${config.namespace}:${event.id}`
    let claimed: MaybePromise<ClaimResult>
    try {
      claimed = store.claim(key, config.leaseMs)
    } catch (error) {
      return afterClaim(store, event, key, claimFailed(error, key))
    }
    if (!isThenable(claimed)) return afterClaim(store, event, key, claimed)
    return Promise.resolve(claimed).then(
      (result) => afterClaim(store, event, key, result),
      (error: unknown) => afterClaim(store, event, key, claimFailed(error, key)),
    )
  }
}
