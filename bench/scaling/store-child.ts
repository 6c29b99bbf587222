/**
 * A child of `bench/scaling.ts`: `node --expose-gc --import tsx store-child.ts <count> <samples> <batch>`
 * fills one memory store (maxEntries = count) with `count` done ids, as the
 * guard leaves them (claim, then complete with a 96 h TTL), prints the bytes
 * it holds per id (heap + external after full collections, the id strings
 * included), then times claim + complete of new ids into the full store,
 * where each one evicts the oldest: the steady state of a store at its bound.
 * One child per size, so nothing else is held.
 */
import { memoryStore } from '../../packages/core/src/dedupe/memory-store.js'
import { idMaker } from '../fast-paths/store.js'
import { median } from '../shared.js'

const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('store-child: run node with --expose-gc')
const collect = gc

const count = Number(process.argv[2])
const samples = Number(process.argv[3])
const batch = Number(process.argv[4])
if (![count, samples, batch].every((n) => Number.isInteger(n) && n > 0))
  throw new Error(`store-child: bad arguments ${process.argv.slice(2)}`)

function used(): number {
  collect()
  collect()
  const memory = process.memoryUsage()
  return memory.heapUsed + memory.external
}

const leaseMs = 30_000
const ttlMs = 96 * 3600 * 1000
const id = idMaker()
const before = used()
const store = memoryStore({ maxEntries: count })
function deliver(key: string): void {
  const claim = store.claim(key, leaseMs)
  if (!('status' in claim) || claim.status !== 'claimed') throw new Error('store-child: an id was not fresh')
  store.complete(key, claim.token, ttlMs)
}
const fillStarted = performance.now()
for (let i = 0; i < count; i++) deliver(id(i))
const fillMs = performance.now() - fillStarted
const bytesPerId = (used() - before) / count

// New ids, made before the timing (as a request brings its id): one sample's worth at a time.
let next = count
const perOp: number[] = []
for (let s = -Math.ceil(samples / 5); s < samples; s++) {
  const ids = Array.from({ length: batch }, () => id(next++))
  const started = performance.now()
  for (let i = 0; i < batch; i++) deliver(ids[i] as string)
  const ns = ((performance.now() - started) * 1e6) / batch
  if (s >= 0) perOp.push(ns)
}
const rss = process.memoryUsage().rss
process.stdout.write(
  `${JSON.stringify({ bytesPerId, nsPerClaimComplete: median(perOp), minNs: Math.min(...perOp), maxNs: Math.max(...perOp), fillMs, rss })}\n`,
)
