import { describeError } from '../lib/describe-error.js'
import { isThenable, type MaybePromise } from '../lib/maybe-promise.js'
import type { GuardParts } from '../parts.js'
import type { DedupeStore } from './store.js'

/** A key one delivery claims, and how long it is remembered once the delivery is done. */
export interface DeliveryKey {
  key: string
  ttlMs: number
}

/** The keys of one delivery, and the tokens of those it holds so far: the first `tokens.length` keys. */
export interface HeldKeys {
  store: DedupeStore | undefined
  keys: DeliveryKey[]
  tokens: string[]
}

/** A delivery enqueued without dedupe holds nothing. */
export const nothingHeld: HeldKeys = Object.freeze({ store: undefined, keys: [], tokens: [] })

/** Counts a store call that failed; a failed completion or release is logged, since the delivery goes on. */
export function storeFailed(parts: GuardParts, what: 'claim' | 'complete' | 'release', error: unknown): void {
  parts.counters.storeErrors += 1
  parts.observer.storeError(what)
  if (what !== 'claim') {
    parts.logger?.warn(
      { code: 'store_unavailable', detail: `${what}: ${describeError(error)}` },
      `dedupe store failed to ${what}`,
    )
  }
}

/** Marks the held keys from `index` on done, one after the other; a store failure is logged and counted. */
export function completeHeld(held: HeldKeys, parts: GuardParts, index = 0): MaybePromise<void> {
  const { store, keys, tokens } = held
  if (store === undefined || index === tokens.length) return
  const { key, ttlMs } = keys[index] as DeliveryKey
  let completed: MaybePromise<void>
  try {
    completed = store.complete(key, tokens[index] as string, ttlMs)
  } catch (error) {
    storeFailed(parts, 'complete', error)
    completed = undefined
  }
  // The memory store completes now: on to the next key with no closure made.
  if (!isThenable(completed)) return completeHeld(held, parts, index + 1)
  return Promise.resolve(completed).then(
    () => completeHeld(held, parts, index + 1),
    (error: unknown) => {
      storeFailed(parts, 'complete', error)
      return completeHeld(held, parts, index + 1)
    },
  )
}

/** Frees the held keys from `index` on, one after the other; a store failure is logged and counted. */
export function releaseHeld(held: HeldKeys, parts: GuardParts, index = 0): MaybePromise<void> {
  const { store, keys, tokens } = held
  if (store === undefined || index === tokens.length) return
  const { key } = keys[index] as DeliveryKey
  let released: MaybePromise<void>
  try {
    released = store.release(key, tokens[index] as string)
  } catch (error) {
    storeFailed(parts, 'release', error)
    released = undefined
  }
  if (!isThenable(released)) return releaseHeld(held, parts, index + 1)
  return Promise.resolve(released).then(
    () => releaseHeld(held, parts, index + 1),
    (error: unknown) => {
      storeFailed(parts, 'release', error)
      return releaseHeld(held, parts, index + 1)
    },
  )
}
