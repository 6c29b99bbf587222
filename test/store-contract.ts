import { randomUUID } from 'node:crypto'
import type { ClaimResult, DedupeStore } from '@hookguard/core'
import { afterAll, describe, expect, test } from 'vitest'
import { dedupeKey, replayId } from '../packages/core/src/dedupe/dedupe-key.js'

/** One store under test, plus how to let time pass for it. */
export interface StoreHarness {
  /** A store on the backing data of this run. */
  store: DedupeStore
  /** A second store on the same backing data (another client, as another process would have), if there is one. */
  peer?: DedupeStore
  /** Lets `ms` milliseconds pass for the store: a fake clock's step, or a real wait. */
  advance(ms: number): Promise<void>
}

/** How {@link storeContract} makes and cleans up stores. */
export interface StoreContractOptions {
  /** Called once per test. Every test uses keys of its own, so stores may share their data. */
  create(): StoreHarness | Promise<StoreHarness>
  /** Called once after the suite: delete whatever the tests wrote. */
  cleanup?(): Promise<void>
}

/** A lease or TTL short enough to wait out, and how long to wait to be sure it is gone. */
const short = 100
const pastShort = 300
/** A TTL checked right after it is set, so long enough that a busy machine cannot outlast it first. */
const checkedShort = 1_000
const pastCheckedShort = 1_500
/** A lease or TTL no test outlives. */
const long = 60_000

/**
 * The `DedupeStore` contract, the same cases for every store: the state
 * machine (claimed → in_flight → done, or released), lease and TTL expiry,
 * tokens that no longer hold the lease, concurrent claims, and keys that
 * differ only in their namespace.
 *
 * @example
 * ```ts
 * storeContract('memory store', {
 *   create() {
 *     let now = 0
 *     return { store: memoryStore({ now: () => now }), advance: async (ms) => { now += ms } }
 *   },
 * })
 * ```
 */
export function storeContract(name: string, options: StoreContractOptions): void {
  const run = randomUUID().slice(0, 8)
  let counter = 0
  /** A key no other test in this run uses, with a namespace before it. */
  const freshKey = (namespace = 'contract') => `${namespace}:${run}-${++counter}`

  async function claimed(store: DedupeStore, key: string, leaseMs: number): Promise<string> {
    const result = await store.claim(key, leaseMs)
    expect(result.status).toBe('claimed')
    return (result as Extract<ClaimResult, { status: 'claimed' }>).token
  }

  describe(name, () => {
    if (options.cleanup) afterAll(options.cleanup)

    test('a fresh key is claimed with a token; a second claim finds it in flight', async () => {
      const { store } = await options.create()
      const key = freshKey()
      const token = await claimed(store, key, long)
      expect(typeof token).toBe('string')
      expect(token.length).toBeGreaterThan(0)
      expect(await store.claim(key, long)).toEqual({ status: 'in_flight' })
    })

    test('complete with the holder token marks the key done', async () => {
      const { store } = await options.create()
      const key = freshKey()
      const token = await claimed(store, key, long)
      await store.complete(key, token, long)
      expect(await store.claim(key, long)).toEqual({ status: 'done' })
      expect(await store.claim(key, long)).toEqual({ status: 'done' })
    })

    test('release with the holder token makes the key claimable again, with a new token', async () => {
      const { store } = await options.create()
      const key = freshKey()
      const first = await claimed(store, key, long)
      await store.release(key, first)
      const second = await claimed(store, key, long)
      expect(second).not.toBe(first)
    })

    test('an expired lease is claimable again', async () => {
      const { store, advance } = await options.create()
      const key = freshKey()
      const first = await claimed(store, key, short)
      await advance(pastShort)
      const second = await claimed(store, key, long)
      expect(second).not.toBe(first)
      expect(await store.claim(key, long)).toEqual({ status: 'in_flight' })
    })

    test('complete and release with a stale token leave the newer claim alone', async () => {
      const { store, advance } = await options.create()
      const key = freshKey()
      const stale = await claimed(store, key, short)
      await advance(pastShort)
      const current = await claimed(store, key, long)
      await store.complete(key, stale, long)
      expect(await store.claim(key, long)).toEqual({ status: 'in_flight' })
      await store.release(key, stale)
      expect(await store.claim(key, long)).toEqual({ status: 'in_flight' })
      await store.complete(key, current, long)
      expect(await store.claim(key, long)).toEqual({ status: 'done' })
    })

    test('complete and release with a token never issued for the key do nothing', async () => {
      const { store } = await options.create()
      const key = freshKey()
      const other = freshKey()
      const token = await claimed(store, key, long)
      const foreign = await claimed(store, other, long)
      await store.complete(key, foreign, long)
      await store.release(key, foreign)
      expect(await store.claim(key, long)).toEqual({ status: 'in_flight' })
      await store.release(key, token)
      await claimed(store, key, long)
    })

    test('release after complete keeps the key done', async () => {
      const { store } = await options.create()
      const key = freshKey()
      const token = await claimed(store, key, long)
      await store.complete(key, token, long)
      await store.release(key, token)
      expect(await store.claim(key, long)).toEqual({ status: 'done' })
    })

    test('complete after the lease expired, with no newer claim, still marks the key done', async () => {
      const { store, advance } = await options.create()
      const key = freshKey()
      const token = await claimed(store, key, short)
      await advance(pastShort)
      await store.complete(key, token, long)
      expect(await store.claim(key, long)).toEqual({ status: 'done' })
    })

    test('a done key is forgotten after its TTL', async () => {
      const { store, advance } = await options.create()
      const key = freshKey()
      const token = await claimed(store, key, long)
      await store.complete(key, token, checkedShort)
      expect(await store.claim(key, long)).toEqual({ status: 'done' })
      await advance(pastCheckedShort)
      await claimed(store, key, long)
    })

    test('concurrent claims on one id: exactly one is claimed, the others are in flight', async () => {
      const { store, peer } = await options.create()
      const key = freshKey()
      const stores = peer ? [store, peer] : [store]
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) => stores[i % stores.length]!.claim(key, long)),
      )
      expect(results.filter((r) => r.status === 'claimed')).toHaveLength(1)
      expect(results.filter((r) => r.status === 'in_flight')).toHaveLength(results.length - 1)
    })

    test("the guard's keys: ids holding `:` under namespaces holding `:`, and replay keys with a space", async () => {
      const { store } = await options.create()
      const id = `${run}-${++counter}`
      const keys = [
        dedupeKey('shop', '', `eu:${id}`),
        dedupeKey('shop:eu', '', id),
        dedupeKey('shop', '', replayId('github', `${id}:${'f'.repeat(64)}`)),
      ]
      const tokens = []
      for (const key of keys) tokens.push(await claimed(store, key, long))
      await store.complete(keys[0]!, tokens[0]!, long)
      expect(await store.claim(keys[0]!, long)).toEqual({ status: 'done' })
      expect(await store.claim(keys[1]!, long)).toEqual({ status: 'in_flight' })
      await store.release(keys[2]!, tokens[2]!)
      await claimed(store, keys[2]!, long)
    })

    test('keys that differ only in their namespace are independent', async () => {
      const { store } = await options.create()
      const a = freshKey('tenant-a')
      const b = a.replace(/^tenant-a:/, 'tenant-b:')
      const token = await claimed(store, a, long)
      await store.complete(a, token, long)
      expect(await store.claim(a, long)).toEqual({ status: 'done' })
      const other = await claimed(store, b, long)
      await store.release(b, other)
      expect(await store.claim(a, long)).toEqual({ status: 'done' })
    })
  })
}
