/**
 * A child of the store benchmark: `node --expose-gc --import tsx
 * store-heap.ts <kind> <count>` fills one store with `count` done ids (its
 * maxEntries) and prints the bytes per id it holds, then again once one
 * more id evicted the oldest (the steady state of a full store), and the
 * bytes of the key strings alone.
 */
import { idMaker, type StoreKind, storeKinds } from './store.js'

const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('store-heap: run node with --expose-gc')
const collect = gc

const kind = process.argv[2] as StoreKind
const count = Number(process.argv[3])
const make = storeKinds[kind]
if (!make || !Number.isInteger(count) || count < 1)
  throw new Error(`store-heap: bad arguments ${process.argv.slice(2)}`)

function used(): number {
  collect()
  collect()
  const memory = process.memoryUsage()
  return memory.heapUsed + memory.external
}

const id = idMaker()
let before = used()
const keys = Array.from({ length: count }, (_, i) => id(i))
// The array's own slots are 8 bytes each (no pointer compression in Node's default build).
const keyBytes = (used() - before) / count - 8
keys.length = 0

before = used()
const store = make(count)
function deliver(key: string): void {
  const claim = store.claim(key, 30_000)
  if (!('status' in claim) || claim.status !== 'claimed') throw new Error('store-heap: an id was not fresh')
  store.complete(key, claim.token, 96 * 3600 * 1000)
}
for (let i = 0; i < count; i++) deliver(id(count + i))
const bytesPerId = (used() - before) / count
deliver(id(2 * count))
const evictingBytesPerId = (used() - before) / count
process.stdout.write(`${JSON.stringify({ bytesPerId, evictingBytesPerId, keyBytes })}\n`)
