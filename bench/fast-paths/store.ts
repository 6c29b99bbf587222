/**
 * Candidate 1: the memory dedupe store on a typed-array table (KeyTable,
 * since dde05c1) against the Map of leases it replaced, with the same ids.
 */
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { memoryStore } from '../../packages/core/src/dedupe/memory-store.js'
import type { DedupeStore } from '../../packages/core/src/dedupe/store.js'
import { type Comparison, sink, type Variant } from './ab.js'
import { freshStrings } from './fresh-strings.js'
import { mapMemoryStore } from './map-store.js'

const leaseMs = 30_000
const ttlMs = 96 * 3600 * 1000

export const storeKinds = {
  'KeyTable (current)': (maxEntries: number) => memoryStore({ maxEntries }),
  'Map of leases (dde05c1^)': (maxEntries: number) => mapMemoryStore({ maxEntries }),
} satisfies Record<string, (maxEntries: number) => DedupeStore>

export type StoreKind = keyof typeof storeKinds

/** Event ids as a sender's header brings them: 31 characters, flat strings (not ropes of concatenated parts). */
export function idMaker(): (i: number) => string {
  const tag = randomBytes(3).toString('hex')
  return (i) => Buffer.from(`msg_${tag}${i.toString(36).padStart(21, '0')}`, 'latin1').toString('latin1')
}

/** One accepted delivery, as the guard drives the store: claim, then complete with the claim's token. */
function deliver(store: DedupeStore, id: string): number {
  const claim = store.claim(id, leaseMs)
  if (!('status' in claim) || claim.status !== 'claimed') throw new Error(`store benchmark: ${id} was not fresh`)
  store.complete(id, claim.token, ttlMs)
  return 1
}

/** A store of `kind` holding `count` done ids, and those ids. */
function filled(kind: StoreKind, maxEntries: number, count: number, id: (i: number) => string) {
  const store = storeKinds[kind](maxEntries)
  const ids = new Array<string>(count)
  for (let i = 0; i < count; i++) {
    ids[i] = id(i)
    deliver(store, ids[i] as string)
  }
  return { store, ids }
}

/** Samples per round for the store cases: each needs fresh ids made before the timing starts. */
const samples = 50
const opsPerRound = (batch: number) => (samples + Math.ceil(samples / 5)) * batch

/** New ids for one round, numbered after the `count` already in the store. */
function freshIds(id: (i: number) => string, count: number, batch: number): string[] {
  return Array.from({ length: opsPerRound(batch) }, (_, i) => id(count + i))
}

function fresh(kind: StoreKind, retained: number, batch: number): Variant {
  return {
    name: kind,
    prepare: () => {
      const id = idMaker()
      // Room to grow: no eviction; the round adds at most a tenth (and at 1M stays below 2^20 keys, a table resize).
      const { store } = filled(kind, 2 * retained, retained, id)
      const next = freshIds(id, retained, batch)
      let at = 0
      return () => {
        for (let i = 0; i < batch; i++) sink.value += deliver(store, next[at++] as string)
      }
    },
  }
}

function duplicate(kind: StoreKind, retained: number, batch: number): Variant {
  return {
    name: kind,
    prepare: () => {
      const { store, ids } = filled(kind, retained, retained, idMaker())
      // A retry brings its id in a new request: new strings (no hash cached on them, which a Map would use),
      // picked with a stride through every retained id, so lookups spread over the whole table.
      const retries = freshStrings(Array.from({ length: opsPerRound(batch) }, (_, i) => ids[(i * 7919) % retained]!))
      let at = 0
      return () => {
        for (let i = 0; i < batch; i++) {
          const claim = store.claim(retries[at++] as string, leaseMs)
          if (!('status' in claim) || claim.status !== 'done')
            throw new Error('store benchmark: a done id was not done')
          sink.value += 1
        }
      }
    },
  }
}

function evicting(kind: StoreKind, retained: number, batch: number): Variant {
  return {
    name: kind,
    prepare: () => {
      const id = idMaker()
      const { store } = filled(kind, retained, retained, id)
      const next = freshIds(id, retained, batch)
      let at = 0
      return () => {
        for (let i = 0; i < batch; i++) sink.value += deliver(store, next[at++] as string)
      }
    },
  }
}

const kinds = Object.keys(storeKinds) as StoreKind[]

export function storeComparisons(sizes: readonly number[]): Comparison[] {
  const list: Comparison[] = []
  for (const retained of sizes) {
    // At most a tenth of the retained ids (40 000 at most) are added per round.
    const growBatch = Math.max(1, Math.floor(Math.min(retained / 10, 40_000) / opsPerRound(1)))
    list.push({
      name: `claim+complete fresh id, ${retained} retained`,
      batch: growBatch,
      samples,
      variants: kinds.map((k) => fresh(k, retained, growBatch)),
    })
  }
  for (const retained of sizes) {
    list.push({
      name: `claim of a done id (duplicate), ${retained} retained`,
      batch: 500,
      samples,
      variants: kinds.map((k) => duplicate(k, retained, 500)),
    })
  }
  for (const retained of sizes) {
    list.push({
      name: `claim+complete at maxEntries ${retained} (evicts the oldest)`,
      batch: 500,
      samples,
      variants: kinds.map((k) => evicting(k, retained, 500)),
    })
  }
  return list
}

export interface HeapRow {
  kind: StoreKind
  retained: number
  /** Heap plus off-heap (typed array) bytes the store holds per id once filled to maxEntries, key strings included. */
  bytesPerId: number
  /** The same once one more id evicted the oldest: the steady state of a full store. */
  evictingBytesPerId: number
  /** Of which the key string itself. */
  keyBytes: number
}

/** Bytes per retained id, measured in a child process with `--expose-gc` (one per store, so nothing else is held). */
export function storeHeap(sizes: readonly number[]): HeapRow[] {
  const child = fileURLToPath(new URL('./store-heap.ts', import.meta.url))
  const rows: HeapRow[] = []
  for (const retained of sizes) {
    for (const kind of kinds) {
      const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', child, kind, String(retained)], {
        encoding: 'utf8',
      })
      rows.push({ kind, retained, ...(JSON.parse(out) as Omit<HeapRow, 'kind' | 'retained'>) })
    }
  }
  return rows
}
