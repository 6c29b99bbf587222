import type { Logger } from '../types.js'
import { KeyTable } from './key-table.js'
import type { ClaimResult, DedupeStore } from './store.js'

/** Options for {@link memoryStore}. */
export interface MemoryStoreOptions {
  /** Entries kept at most; the oldest are evicted first. Default 100 000. */
  maxEntries?: number
  /** The clock, in milliseconds. Default `Date.now`. */
  now?: () => number
  /**
   * Told once, at `warn`, when the store evicts a done id before its TTL
   * ended (a retry of that id would be processed again), with the rate of
   * deliveries it saw and the `maxEntries` that would hold the TTL at that
   * rate. A guard passes its own `logger` to the store it makes. Default: none.
   */
  logger?: Pick<Logger, 'warn'>
}

const done: ClaimResult = Object.freeze({ status: 'done' })
const inFlight: ClaimResult = Object.freeze({ status: 'in_flight' })

/** The token of a key that is done: no holder. Leases get tokens from 1 up. */
const doneToken = 0

/**
 * An in-process dedupe store: the default. Bounded (oldest entries evicted
 * first) and safe under concurrent requests for one id, because every step is
 * synchronous. For several processes use the Redis store. The default 100 000
 * entries take about 14 MiB (144 B per id) and hold 96 h (the default TTL) of deliveries
 * only up to about 0.29 a second; past that an id is evicted before its TTL
 * ends, which `logger` is told once.
 *
 * @example
 * ```ts
 * // 96 h of 3 deliveries a second: 1 036 800 ids, about 125 MiB.
const guard = createGuard({ verify, enqueue, logger, dedupe: memoryStore({ maxEntries: 1_036_800, logger }) })
 * ```
 */
export function memoryStore(options: MemoryStoreOptions = {}): DedupeStore {
  // Long for a reason: the store's methods share one key table and clock; each method is a few lines.
  const maxEntries = options.maxEntries ?? 100_000
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new TypeError('maxEntries must be a positive integer')
  }
  const now = options.now ?? Date.now
  const logger = options.logger
  if (logger !== undefined && typeof (logger as Partial<Logger> | null)?.warn !== 'function') {
    throw new TypeError('logger must be a logger with a warn function')
  }
  // Keys in the order of their claim, each with its expiry and the token of its holder (doneToken once done).
  const table = new KeyTable(maxEntries)
  let counter = doneToken
  // The early-eviction warning: said once; the TTL it measures against is the last one `complete` was given.
  let warned = logger === undefined
  let ttlSeen = 0

  /** Before an add that will evict the oldest key: warn (once) if it is a done key whose TTL has not ended. */
  function checkEviction(nowMs: number): void {
    const oldest = table.oldestSlot()
    const expiry = table.expiry(oldest)
    if (table.token(oldest) !== doneToken || expiry <= nowMs) return
    warned = true
    // The oldest key was completed at expiry - ttl; every key kept now came after it.
    const heldMs = Math.max(1, nowMs - (expiry - ttlSeen))
    const hours = (ms: number) => Math.round(ms / 36_000) / 100
    const maxEntriesForTtl = Math.ceil((maxEntries * ttlSeen) / heldMs)
    const deliveriesPerSecond = Math.round((maxEntries / heldMs) * 1e5) / 100
    logger?.warn(
      { maxEntries, heldHours: hours(heldMs), ttlHours: hours(ttlSeen), deliveriesPerSecond, maxEntriesForTtl },
      `memoryStore: evicted a processed id ${hours(expiry - nowMs)} h before its TTL ended; maxEntries ${maxEntries} holds ${hours(heldMs)} h of deliveries at the ${deliveriesPerSecond}/s seen, short of the ${hours(ttlSeen)} h TTL, so a retry of an evicted id is processed again; maxEntries ${maxEntriesForTtl} would hold it`,
    )
  }

  /** Adds a key as the newest, the oldest making room once the store is full. */
  function add(key: string, expiry: number, token: number, nowMs: number): void {
    if (!warned && table.size >= maxEntries) checkEviction(nowMs)
    table.add(key, expiry, token)
  }

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
      add(key, nowMs + leaseMs, counter, nowMs)
      return { status: 'claimed', token: `${counter}` }
    },
    complete(key: string, token: string, ttlMs: number): void {
      const nowMs = now()
      ttlSeen = ttlMs
      const slot = live(key, nowMs)
      // The holder's own lease becomes done in place: a key keeps the place of its claim in the eviction order.
      if (slot !== -1 && heldBy(slot, token)) table.update(slot, nowMs + ttlMs, doneToken)
      else if (slot === -1) add(key, nowMs + ttlMs, doneToken, nowMs)
    },
    release(key: string, token: string): void {
      const slot = live(key, now())
      if (slot !== -1 && heldBy(slot, token)) table.remove(slot)
    },
  }
}
