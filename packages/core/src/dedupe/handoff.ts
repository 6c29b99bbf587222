import { WebhookError } from '../errors.js'
import type { Verified } from '../event/build-event.js'
import { andThen, isThenable, type MaybePromise, recover } from '../lib/maybe-promise.js'
import type { Observer } from '../observe/observer.js'
import type { ResolvedOptions } from '../options.js'
import { accepted, duplicate } from '../respond/verdict.js'
import type { Logger, Verdict, WebhookEvent } from '../types.js'
import { dedupeKey } from './dedupe-key.js'
import type { ClaimResult, DedupeStore } from './store.js'

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

/** What a delivery claims besides its event id: the id a verifier vouched for, and the verifiers' replay keys. */
export type DeliveryClaims = Pick<Verified, 'id' | 'replays'>

/** A key one delivery claims, and how long it is remembered once the delivery is done. */
interface DeliveryKey {
  key: string
  ttlMs: number
}

/** The keys of one delivery, and the tokens of those it holds so far: the first `tokens.length` keys. */
interface Held {
  store: DedupeStore | undefined
  keys: DeliveryKey[]
  tokens: string[]
}

/** A delivery enqueued without dedupe holds nothing. */
const nothingHeld: Held = Object.freeze({ store: undefined, keys: [], tokens: [] })

/** The namespaces of the guards on each store passed in, so two guards cannot share one by mistake. */
const namespacesOf = new WeakMap<DedupeStore, Set<string>>()

/**
 * Takes `namespace` on `store` for one guard; a second guard with the same
 * store object and namespace is a `TypeError`. Guards in other processes
 * cannot be seen from here: give each its own namespace.
 */
function takeNamespace(store: DedupeStore, namespace: unknown): void {
  if (typeof namespace !== 'string') throw new TypeError('namespace must be a string')
  const taken = namespacesOf.get(store) ?? new Set<string>()
  if (taken.has(namespace)) {
    throw new TypeError(
      `namespace '${namespace}' is taken: another guard uses this dedupe store with it; give each guard on a shared store its own namespace`,
    )
  }
  namespacesOf.set(store, taken.add(namespace))
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
 * Steps 7 and 8 of the pipeline: claim every key of the delivery in the
 * dedupe store (its event id, the id a verifier vouched for when that is
 * another, then any replay key), hand the event to `enqueue`, then mark the
 * keys done, or free them again when `enqueue` failed so the sender's retry
 * is taken. A key already done answers 200 duplicate, one in flight 409; the
 * keys this delivery claimed before are freed.
 */
export function createHandoff(
  parts: HandoffParts,
): (event: WebhookEvent, claims: DeliveryClaims) => MaybePromise<Verdict> {
  const { config, store, ownStore, enqueue, observer, counters, logger } = parts
  if (store && !ownStore) takeNamespace(store, config.namespace)
  // A shared store tells guards apart by the namespace: every key starts with `dedupeKey(namespace, '', '')`, the
  // id follows. The guard's own store holds only its keys: keyed by the id itself, it builds no string per delivery.
  const prefix = ownStore ? '' : dedupeKey(config.namespace, '', '')

  /** The delivery's keys in the order they are claimed; the id a verifier vouched for comes first. */
  function deliveryKeys(id: string, claims: DeliveryClaims): DeliveryKey[] {
    const ttlMs = config.dedupeTtlMs
    const keys =
      claims.id !== undefined && claims.id !== id
        ? [
            { key: prefix + claims.id, ttlMs },
            { key: prefix + id, ttlMs },
          ]
        : [{ key: prefix + id, ttlMs }]
    if (claims.replays === undefined) return keys
    for (const replay of claims.replays) {
      const ttl = replay.ttlMs
      keys.push({ key: prefix + replay.id, ttlMs: ttl !== undefined && Number.isFinite(ttl) && ttl > 0 ? ttl : ttlMs })
    }
    return keys
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

  /** The claim failed: `null` (go on without this key) when `storeFailure` is `'open'`, otherwise the 503. */
  function claimFailed(error: unknown, key: string): null | WebhookError {
    storeFailed('claim', error)
    if (config.storeFailure !== 'open') return new WebhookError('store_unavailable', describeError(error))
    counters.failOpen += 1
    observer.failOpen()
    logger?.warn(
      { code: 'store_unavailable', key, detail: describeError(error) },
      'dedupe store failed; enqueuing without dedupe',
    )
    return null
  }

  /** Claims the next key of the delivery, one after the other; once it holds them all, enqueues. */
  function claimNext(held: Held, event: WebhookEvent): MaybePromise<Verdict> {
    const { store: dedupe, keys, tokens } = held
    if (dedupe === undefined || tokens.length === keys.length) return enqueueHolding(held, event)
    const { key } = keys[tokens.length] as DeliveryKey
    const claimed = recover<ClaimResult | null | WebhookError>(
      () => dedupe.claim(key, config.leaseMs),
      (error) => claimFailed(error, key),
    )
    return andThen(claimed, (result) => afterClaim(held, event, result))
  }

  /** What a claim said: the key is ours (on to the next), done (a duplicate) or in flight; or the store failed. */
  function afterClaim(held: Held, event: WebhookEvent, claimed: ClaimResult | null | WebhookError) {
    // Open on a store failure: enqueued under the keys held so far.
    if (claimed === null) return enqueueHolding(held, event)
    if (claimed instanceof WebhookError) return releaseThenFail(held, claimed)
    if (claimed.status === 'claimed') {
      held.tokens.push(claimed.token)
      return claimNext(held, event)
    }
    if (claimed.status === 'done') return andThen(releaseFrom(held, 0), duplicate)
    return releaseThenFail(held, new WebhookError('in_flight', 'another delivery with this id or content is in flight'))
  }

  /** Enqueues under the keys held: marks them done when `enqueue` succeeded, frees them when it failed. */
  function enqueueHolding(held: Held, event: WebhookEvent): MaybePromise<Verdict> {
    let pending: unknown
    try {
      pending = enqueue(event)
    } catch (error) {
      return releaseThenFail(held, error)
    }
    // A synchronous enqueue has finished already: no timer and no race on the hot path.
    if (!isThenable(pending)) return completeThenAccept(held, event)
    return finishesInTime(pending).then(
      (inTime) => (inTime ? completeThenAccept(held, event) : keepUntilSettled(held, pending as PromiseLike<unknown>)),
      (error: unknown) => releaseThenFail(held, error),
    )
  }

  /** Whether a pending enqueue settles within `enqueueTimeoutMs`: `true` when it resolved, `false` when time ran out. */
  function finishesInTime(pending: PromiseLike<unknown>): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), config.enqueueTimeoutMs)
    })
    return Promise.race([Promise.resolve(pending).then(() => true), timeout]).finally(() => clearTimeout(timer))
  }

  /**
   * The enqueue outlived its timeout: the answer is 503, but the keys stay
   * held until it settles, then are marked done (it succeeded late: the
   * sender's retry is a duplicate) or freed (it failed: the retry is taken).
   */
  function keepUntilSettled(held: Held, pending: PromiseLike<unknown>): never {
    Promise.resolve(pending).then(
      () => completeFrom(held, 0),
      (error: unknown) => {
        logger?.warn({ code: 'enqueue_failed', detail: describeError(error) }, 'enqueue failed after its timeout')
        return releaseFrom(held, 0)
      },
    )
    throw new WebhookError('enqueue_timeout', `enqueue took longer than ${config.enqueueTimeoutMs} ms`)
  }

  /** Marks the keys done, then answers 202: the event is enqueued even if the store fails now. */
  function completeThenAccept(held: Held, event: WebhookEvent): MaybePromise<Verdict> {
    return andThen(completeFrom(held, 0), () => accepted(event))
  }

  /** Frees the keys held, then fails with `failure`. */
  function releaseThenFail(held: Held, failure: unknown): MaybePromise<never> {
    return andThen(releaseFrom(held, 0), (): never => {
      throw enqueueError(failure)
    })
  }

  /** Marks the held keys from `index` on done, one after the other; a store failure is logged and counted. */
  function completeFrom(held: Held, index: number): MaybePromise<void> {
    const { store: dedupe, keys, tokens } = held
    if (dedupe === undefined || index === tokens.length) return
    const { key, ttlMs } = keys[index] as DeliveryKey
    const completed = recover(
      () => dedupe.complete(key, tokens[index] as string, ttlMs),
      (error) => storeFailed('complete', error),
    )
    return andThen(completed, () => completeFrom(held, index + 1))
  }

  /** Frees the held keys from `index` on, one after the other; a store failure is logged and counted. */
  function releaseFrom(held: Held, index: number): MaybePromise<void> {
    const { store: dedupe, keys, tokens } = held
    if (dedupe === undefined || index === tokens.length) return
    const { key } = keys[index] as DeliveryKey
    const released = recover(
      () => dedupe.release(key, tokens[index] as string),
      (error) => storeFailed('release', error),
    )
    return andThen(released, () => releaseFrom(held, index + 1))
  }

  return function handOff(event: WebhookEvent, claims: DeliveryClaims): MaybePromise<Verdict> {
    if (!store || event.id === null) return enqueueHolding(nothingHeld, event)
    return claimNext({ store, keys: deliveryKeys(event.id, claims), tokens: [] }, event)
  }
}
