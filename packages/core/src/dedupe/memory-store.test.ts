import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { memoryStore } from './memory-store.js'

/**
 * Whether the store still answers for a key (`claim` says anything but `claimed`). Asking about a
 * forgotten key claims it for a moment, which may evict the oldest: ask about the kept keys first.
 */
function remembers(store: ReturnType<typeof memoryStore>, key: string): boolean {
  const result = store.claim(key, 1_000)
  if (result instanceof Promise) throw new Error('the memory store answers synchronously')
  if (result.status === 'claimed') store.release(key, result.token)
  return result.status !== 'claimed'
}

describe('memoryStore eviction', () => {
  test('keeps at most maxEntries and evicts the oldest first', () => {
    const store = memoryStore({ maxEntries: 3 })
    for (const key of ['a', 'b', 'c', 'd']) {
      const claimed = store.claim(key, 1_000) as { token: string }
      store.complete(key, claimed.token, 60_000)
    }
    expect(['d', 'c', 'b', 'a'].map((key) => remembers(store, key))).toEqual([true, true, true, false])
  })

  test('a key keeps the place of its claim when it completes; a released key is claimed anew as the newest', () => {
    const store = memoryStore({ maxEntries: 2 })
    const a = store.claim('a', 1_000) as { token: string }
    const b = store.claim('b', 1_000) as { token: string }
    store.complete('b', b.token, 60_000)
    store.complete('a', a.token, 60_000) // still the oldest: its claim came first
    store.claim('c', 1_000)
    expect(remembers(store, 'c')).toBe(true)
    expect(remembers(store, 'b')).toBe(true)
    expect(remembers(store, 'a')).toBe(false)

    const again = memoryStore({ maxEntries: 2 })
    const x = again.claim('x', 1_000) as { token: string }
    again.claim('y', 1_000)
    again.release('x', x.token)
    again.claim('x', 1_000) // x comes back as the newest: y is now the oldest
    again.claim('z', 1_000)
    expect(remembers(again, 'x')).toBe(true)
    expect(remembers(again, 'z')).toBe(true)
    expect(remembers(again, 'y')).toBe(false)
  })

  test('evicts in the right order long after the map has turned over many times', () => {
    const maxEntries = 50
    const store = memoryStore({ maxEntries })
    // Every id is claimed, then completed (a rewrite); every seventh is released instead.
    for (let i = 0; i < 100 * maxEntries; i++) {
      const key = `id-${i}`
      const claimed = store.claim(key, 1_000) as { token: string }
      if (i % 7 === 0) store.release(key, claimed.token)
      else store.complete(key, claimed.token, 60_000)
    }
    const last = 100 * maxEntries - 1
    const kept = Array.from({ length: 2 * maxEntries }, (_, k) => last - k).filter((i) => i % 7 !== 0)
    const expected = kept.slice(0, maxEntries)
    const remembered = kept.filter((i) => remembers(store, `id-${i}`))
    expect(remembered).toEqual(expected)
  })

  test('matches a plain model under random claims, completions, releases and expiries', () => {
    type Op = { kind: 'claim' | 'complete' | 'release'; key: number } | { kind: 'tick'; ms: number }
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constantFrom('claim' as const, 'complete' as const, 'release' as const), key: fc.nat(12) }),
      fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 400 }) }),
    )
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(op, { maxLength: 200 }), (maxEntries, ops) => {
        let now = 0
        const store = memoryStore({ maxEntries, now: () => now })
        // The model: insertion-ordered entries with their state, expiry and token.
        type Entry = { done: boolean; until: number; token: string }
        const model = new Map<string, Entry>()
        const tokens = new Map<string, string>()
        const alive = (key: string) => {
          const entry = model.get(key)
          if (entry && entry.until <= now) model.delete(key)
          return model.get(key)
        }
        const put = (key: string, entry: Entry) => {
          model.delete(key)
          model.set(key, entry)
          while (model.size > maxEntries) model.delete(model.keys().next().value as string)
        }
        const run = (step: Op) => {
          if (step.kind === 'tick') {
            now += step.ms
            return
          }
          const key = `k${step.key}`
          if (step.kind === 'claim') {
            const entry = alive(key)
            const result = store.claim(key, 500) as { status: string; token?: string }
            const expected = entry === undefined ? 'claimed' : entry.done ? 'done' : 'in_flight'
            expect(result.status).toBe(expected)
            if (result.token !== undefined) {
              tokens.set(key, result.token)
              put(key, { done: false, until: now + 500, token: result.token })
            }
          } else {
            const token = tokens.get(key) ?? 'none'
            const entry = alive(key)
            const holds = entry !== undefined && !entry.done && entry.token === token
            if (step.kind === 'complete') {
              store.complete(key, token, 1_000)
              // Done keys keep the place of their claim.
              const done = { done: true, until: now + 1_000, token }
              if (holds) model.set(key, done)
              else if (entry === undefined) put(key, done)
            } else {
              store.release(key, token)
              if (holds) model.delete(key)
            }
          }
        }
        for (const step of ops) run(step)
        // Then every key once more: the store must answer each claim as the model does.
        for (let key = 0; key <= 12; key++) run({ kind: 'claim', key })
      }),
      { numRuns: 2_000 },
    )
  })
})

describe('memoryStore sizing warning', () => {
  const hour = 3600 * 1000
  const ttl = 96 * hour

  /** A store of `maxEntries` on a fake clock, fed one delivery every `everyMs`, with its warnings. */
  function feed(maxEntries: number, everyMs: number, deliveries: number, ttlMs = ttl) {
    let now = 1_700_000_000_000
    const warnings: { record: Record<string, unknown>; message?: string }[] = []
    const logger = { warn: (record: object, message?: string) => warnings.push({ record: { ...record }, message }) }
    const store = memoryStore({ maxEntries, now: () => now, logger })
    for (let i = 0; i < deliveries; i++) {
      const claimed = store.claim(`id-${i}`, 30_000) as { token: string }
      store.complete(`id-${i}`, claimed.token, ttlMs)
      now += everyMs
    }
    return warnings
  }

  test('warns once when a processed id is evicted before its TTL, with the rate seen and the bound that holds it', () => {
    // 100 entries, one delivery a minute: the store holds 100 minutes, the TTL is 96 h.
    const warnings = feed(100, 60_000, 250)
    expect(warnings).toHaveLength(1)
    const { record, message } = warnings[0]!
    expect(record).toEqual({
      maxEntries: 100,
      heldHours: 1.67,
      ttlHours: 96,
      deliveriesPerSecond: 0.02,
      maxEntriesForTtl: 5760,
    })
    expect(message).toContain('maxEntries 5760 would hold it')
  })

  test('the bound it names holds the TTL at that rate: no warning', () => {
    expect(feed(5760, 60_000, 12_000)).toEqual([])
  })

  test('no warning while the evicted ids have outlived their TTL, nor before the store is full', () => {
    // A 1 h TTL and a delivery a minute: the 100-entry store holds 100 minutes, more than the TTL.
    expect(feed(100, 60_000, 1_000, hour)).toEqual([])
    expect(feed(100, 1, 100)).toEqual([])
  })

  test('an in-flight lease evicted is not what it warns about', () => {
    let now = 0
    const warnings: object[] = []
    const store = memoryStore({ maxEntries: 2, now: () => now, logger: { warn: (r: object) => warnings.push(r) } })
    for (const key of ['a', 'b', 'c', 'd']) {
      store.claim(key, 60_000)
      now += 1
    }
    expect(warnings).toEqual([])
  })

  test('refuses a logger without warn', () => {
    expect(() => memoryStore({ logger: {} as never })).toThrow('logger must be a logger with a warn function')
  })
})
