import { KeyTable } from './key-table.js'
import type { ClaimResult, DedupeStore } from './store.js'

/** Options for {@link memoryStore}. */
export interface MemoryStoreOptions {
  /** Entries kept at most; the oldest are evicted first. Default 100 000. */
  maxEntries?: number
  /** The clock, in milliseconds. Default `Date.now`. */
  now?: () => number
}

const done: ClaimResult = Object.freeze({ status: 'done' })
const inFlight: ClaimResult = Object.freeze({ status: 'in_flight' })

/** The token of a key that is done: no holder. Leases get tokens from 1 up. */
const doneToken = 0

/**
 * An in-process dedupe store: the default. Bounded (oldest entries evicted
 * first) and safe under concurrent requests for one id, because every step is
 * synchronous. For several processes use the Redis store.
 *
 * @example
 * ```ts
 * const guard = createGuard({ verify, enqueue, dedupe: memoryStore({ maxEntries: 50_000 }) })
 * ```
 */
export function memoryStore(options: MemoryStoreOptions = {}): DedupeStore {
  const maxEntries = options.maxEntries ?? 100_000
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new TypeError('maxEntries must be a positive integer')
  }
  const now = options.now ?? Date.now
  // Keys in the order of their claim, each with its expiry and the token of its holder (doneToken once done).
  const table = new KeyTable(maxEntries)
  let counter = doneToken

  /** The key's slot, unless the key is absent or expired (an expired key is removed). */
  function live(key: string, nowMs: number): number {
    const slot = table.find(key)
    if (slot !== -1 && table.expiry(slot) <= nowMs) {
      table.remove(slot)
      return -1
    }
    return slot
  }

  /** Whether the slot holds a lease with this token (`token` as the holder got it from `claim`). */
  const heldBy = (slot: number, token: string): boolean =>
    table.token(slot) !== doneToken && table.token(slot) === Number(token)

  // One clock read per call: the clock is a measurable part of a claim.
  return {
    claim(key: string, leaseMs: number): ClaimResult {
      const nowMs = now()
      const slot = live(key, nowMs)
      if (slot !== -1) return table.token(slot) === doneToken ? done : inFlight
      counter += 1
      table.add(key, nowMs + leaseMs, counter)
      return { status: 'claimed', token: `${counter}` }
    },
    complete(key: string, token: string, ttlMs: number): void {
      const nowMs = now()
      const slot = live(key, nowMs)
      // The holder's own lease becomes done in place: a key keeps the place of its claim in the eviction order.
      if (slot !== -1 && heldBy(slot, token)) table.update(slot, nowMs + ttlMs, doneToken)
      else if (slot === -1) table.add(key, nowMs + ttlMs, doneToken)
    },
    release(key: string, token: string): void {
      const slot = live(key, now())
      if (slot !== -1 && heldBy(slot, token)) table.remove(slot)
    },
  }
}
