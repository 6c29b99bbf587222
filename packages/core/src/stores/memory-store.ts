import type { ClaimResult, DedupeStore } from './store.js'

/** Options for {@link memoryStore}. */
export interface MemoryStoreOptions {
  /** Entries kept at most; the oldest are evicted first. Default 100 000. */
  maxEntries?: number
  /** The clock, in milliseconds. Default `Date.now`. */
  now?: () => number
}

interface Entry {
  token: string | null
  expiresAt: number
}

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
  // Map keeps insertion order; every write re-inserts, so the first key is the oldest.
  const entries = new Map<string, Entry>()
  let counter = 0

  function live(key: string): Entry | undefined {
    const entry = entries.get(key)
    if (entry && entry.expiresAt <= now()) {
      entries.delete(key)
      return undefined
    }
    return entry
  }

  function put(key: string, entry: Entry): void {
    entries.delete(key)
    entries.set(key, entry)
    while (entries.size > maxEntries) {
      const oldest = entries.keys().next().value as string
      entries.delete(oldest)
    }
  }

  return {
    claim(key: string, leaseMs: number): ClaimResult {
      const entry = live(key)
      if (entry) return entry.token === null ? { status: 'done' } : { status: 'in_flight' }
      counter += 1
      const token = `${counter}`
      put(key, { token, expiresAt: now() + leaseMs })
      return { status: 'claimed', token }
    },
    complete(key: string, token: string, ttlMs: number): void {
      const entry = live(key)
      if (entry?.token === token || entry === undefined) put(key, { token: null, expiresAt: now() + ttlMs })
    },
    release(key: string, token: string): void {
      if (live(key)?.token === token) entries.delete(key)
    },
  }
}
