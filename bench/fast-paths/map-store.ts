/**
 * The baseline for the memory store benchmark: the store as it was before
 * commit dde05c1 moved its keys into a typed-array table (KeyTable), copied
 * from `git show dde05c1^:packages/core/src/stores/memory-store.ts` with only
 * the imports, the export's name and its options type (not exported) changed.
 */
import type { ClaimResult, DedupeStore } from '../../packages/core/src/dedupe/store.js'

/** Options for {@link mapMemoryStore}. */
interface MemoryStoreOptions {
  /** Entries kept at most; the oldest are evicted first. Default 100 000. */
  maxEntries?: number
  /** The clock, in milliseconds. Default `Date.now`. */
  now?: () => number
}

/** A key being processed: who holds it, and until when (ms). */
interface Lease {
  token: string
  expiresAt: number
}

const done: ClaimResult = Object.freeze({ status: 'done' })
const inFlight: ClaimResult = Object.freeze({ status: 'in_flight' })

/** Done keys remember their expiry in ticks of this many ms. */
const tickMs = 100

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
export function mapMemoryStore(options: MemoryStoreOptions = {}): DedupeStore {
  const maxEntries = options.maxEntries ?? 100_000
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new TypeError('maxEntries must be a positive integer')
  }
  const now = options.now ?? Date.now
  // Map keeps insertion order, and a key is added when it is claimed, so the first key is the oldest.
  // A key being processed holds a lease; a done key holds only its expiry, as a small integer (100 ms
  // ticks since the store was made), so the many retained done keys cost the garbage collector next
  // to nothing.
  const entries = new Map<string, Lease | number>()
  // One live iterator walks the keys oldest first, for eviction. A fresh `entries.keys()` per eviction
  // would rescan from the table's start, over every hole that earlier deletes left there: at 100 000
  // entries that cost tens of microseconds per request, growing with the traffic. A Map iterator sees
  // keys added after it was made and skips deleted ones, so this one always points at the oldest key.
  let oldestFirst = entries.keys()
  const base = now()
  let counter = 0

  const doneUntil = (nowMs: number, ttlMs: number): number => Math.ceil((nowMs + ttlMs - base) / tickMs)
  const expired = (entry: Lease | number, nowMs: number): boolean =>
    typeof entry === 'number' ? base + entry * tickMs <= nowMs : entry.expiresAt <= nowMs

  /** The key's entry, unless it expired (an expired entry is removed). */
  function live(key: string, nowMs: number): Lease | number | undefined {
    const entry = entries.get(key)
    if (entry !== undefined && expired(entry, nowMs)) {
      entries.delete(key)
      return undefined
    }
    return entry
  }

  /** Adds a key that is not in the map (as the newest), evicting the oldest beyond `maxEntries`. */
  function add(key: string, entry: Lease | number): void {
    entries.set(key, entry)
    while (entries.size > maxEntries) {
      let oldest = oldestFirst.next()
      if (oldest.done) {
        // Only if every key the iterator could see is gone: start again from the current oldest.
        oldestFirst = entries.keys()
        oldest = oldestFirst.next()
      }
      entries.delete(oldest.value as string)
    }
  }

  // One clock read per call: the clock is a measurable part of a claim.
  return {
    claim(key: string, leaseMs: number): ClaimResult {
      const nowMs = now()
      const entry = live(key, nowMs)
      if (entry !== undefined) return typeof entry === 'number' ? done : inFlight
      counter += 1
      const token = `${counter}`
      add(key, { token, expiresAt: nowMs + leaseMs })
      return { status: 'claimed', token }
    },
    complete(key: string, token: string, ttlMs: number): void {
      const nowMs = now()
      const entry = live(key, nowMs)
      // The holder's own lease becomes done in place: a key keeps the place of its claim in the eviction order.
      if (entry !== undefined && typeof entry !== 'number' && entry.token === token) {
        entries.set(key, doneUntil(nowMs, ttlMs))
      } else if (entry === undefined) add(key, doneUntil(nowMs, ttlMs))
    },
    release(key: string, token: string): void {
      const entry = live(key, now())
      if (entry !== undefined && typeof entry !== 'number' && entry.token === token) entries.delete(key)
    },
  }
}
