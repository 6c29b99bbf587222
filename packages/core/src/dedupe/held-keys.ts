import { describeError } from '../lib/describe-error.js'
import { type MaybePromise, settle } from '../lib/maybe-promise.js'
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
    return completeFailed(error, held, parts, index)
  }
  return settle(completed, completeNext, completeFailed, held, parts, index)
}

function completeNext(_: unknown, held: HeldKeys, parts: GuardParts, index: number): MaybePromise<void> {
  return completeHeld(held, parts, index + 1)
}

function completeFailed(error: unknown, held: HeldKeys, parts: GuardParts, index: number): MaybePromise<void> {
  storeFailed(parts, 'complete', error)
  return completeHeld(held, parts, index + 1)
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
    return releaseFailed(error, held, parts, index)
  }
  return settle(released, releaseNext, releaseFailed, held, parts, index)
}

function releaseNext(_: unknown, held: HeldKeys, parts: GuardParts, index: number): MaybePromise<void> {
  return releaseHeld(held, parts, index + 1)
}

function releaseFailed(error: unknown, held: HeldKeys, parts: GuardParts, index: number): MaybePromise<void> {
  storeFailed(parts, 'release', error)
  return releaseHeld(held, parts, index + 1)
}
