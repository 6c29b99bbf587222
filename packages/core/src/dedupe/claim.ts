import type { Delivery } from '../delivery.js'
import { WebhookError } from '../errors.js'
import { describeError } from '../lib/describe-error.js'
import { andThen, type MaybePromise, settle } from '../lib/maybe-promise.js'
import type { GuardParts } from '../parts.js'
import { duplicate } from '../respond/verdict.js'
import type { Verdict } from '../types.js'
import { dedupeKey } from './dedupe-key.js'
import { type DeliveryKey, type HeldKeys, nothingHeld, releaseHeld, storeFailed } from './held-keys.js'
import type { ClaimResult } from './store.js'

/**
 * Step 7: claims every key of the delivery in the dedupe store, one after the
 * other: the id a verifier vouched for, the event id when that is another,
 * then any replay key. All new: on to step 8 holding them. One already done:
 * 200 duplicate. One in flight: 409. The keys claimed before either are freed.
 * Without a store (or an id, with dedupe off) the delivery holds nothing.
 */
export function claimKeys(delivery: Delivery, parts: GuardParts): MaybePromise<Verdict | undefined> {
  const { store } = parts
  const id = delivery.event?.id ?? null
  if (store === undefined || id === null) {
    delivery.held = nothingHeld
    return undefined
  }
  delivery.held = { store, keys: deliveryKeys(id, delivery, parts), tokens: [] }
  return claimNext(delivery.held, parts)
}

/** The delivery's keys in the order they are claimed; the id a verifier vouched for comes first. */
function deliveryKeys(id: string, delivery: Delivery, parts: GuardParts): DeliveryKey[] {
  // A tenant's keys are apart from every other tenant's, in the guard's own store too.
  const prefix = delivery.tenant === null ? parts.keyPrefix : dedupeKey(parts.config.namespace, delivery.tenant, '')
  const ttlMs = parts.config.dedupeTtlMs
  const vouched = delivery.verified.id
  const keys = [{ key: prefix + (vouched ?? id), ttlMs }]
  if (vouched !== undefined && vouched !== id) keys.push({ key: prefix + id, ttlMs })
  for (const replay of delivery.verified.replays ?? []) {
    const ttl = replay.ttlMs
    keys.push({ key: prefix + replay.id, ttlMs: ttl !== undefined && Number.isFinite(ttl) && ttl > 0 ? ttl : ttlMs })
  }
  return keys
}

/** Claims the next key; once every key is held, the claim is done. */
function claimNext(held: HeldKeys, parts: GuardParts): MaybePromise<Verdict | undefined> {
  const { store, keys, tokens } = held
  if (store === undefined || tokens.length === keys.length) return undefined
  const { key } = keys[tokens.length] as DeliveryKey
  let claimed: MaybePromise<ClaimResult>
  try {
    claimed = store.claim(key, parts.config.leaseMs)
  } catch (error) {
    return afterClaim(claimFailed(error, key, parts), held, parts)
  }
  return settle(claimed, afterClaim, claimRejected, held, parts)
}

/** The store's promise rejected: as a claim that threw. */
function claimRejected(error: unknown, held: HeldKeys, parts: GuardParts): MaybePromise<Verdict | undefined> {
  const { key } = held.keys[held.tokens.length] as DeliveryKey
  return afterClaim(claimFailed(error, key, parts), held, parts)
}

/** What a claim said: the key is ours (on to the next), done (a duplicate) or in flight; or the store failed open. */
function afterClaim(
  claimed: ClaimResult | StoreFailure,
  held: HeldKeys,
  parts: GuardParts,
): MaybePromise<Verdict | undefined> {
  // Open on a store failure: enqueued under the keys held so far.
  if (claimed === 'failed_open') return undefined
  if (claimed instanceof WebhookError)
    return andThen(releaseHeld(held, parts), (): never => {
      throw claimed
    })
  if (claimed.status === 'claimed') {
    held.tokens.push(claimed.token)
    return claimNext(held, parts)
  }
  if (claimed.status === 'done') return andThen(releaseHeld(held, parts), duplicate)
  return andThen(releaseHeld(held, parts), (): never => {
    throw new WebhookError('in_flight', 'another delivery with this id or content is in flight')
  })
}

/** A claim the store failed: the 503 to answer, or `'failed_open'` to go on without the key. */
type StoreFailure = WebhookError | 'failed_open'

/** The store failed: 503 (once what is held is freed), or, when `storeFailure` is `'open'`, on without this key. */
function claimFailed(error: unknown, key: string, parts: GuardParts): StoreFailure {
  storeFailed(parts, 'claim', error)
  if (parts.config.storeFailure !== 'open') return new WebhookError('store_unavailable', describeError(error))
  parts.counters.failOpen += 1
  parts.observer.failOpen()
  parts.logger?.warn(
    { code: 'store_unavailable', key, detail: describeError(error) },
    'dedupe store failed; enqueuing without dedupe',
  )
  return 'failed_open'
}
