const none = -1

/** FNV-1a over the UTF-16 code units, from a per-table random start. */
function hashOf(key: string, seed: number): number {
  let hash = seed
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193)
  return hash
}

/**
 * A hash table of string keys, each with an expiry time and a token, kept in
 * the order they were added. It is built for the dedupe store's hot path:
 * the slots are typed arrays (open addressing, linear probing), so a lookup
 * reads a few adjacent numbers instead of following a `Map`'s bucket chains
 * through the heap, and the table holds no object per key but the key string
 * itself, which leaves the garbage collector next to nothing to trace when
 * 100 000 keys are kept. The slots are linked oldest to newest, so the oldest
 * key is always at hand for eviction.
 *
 * Keys reach the table only after their delivery was verified, so the
 * sender, not a stranger, chooses them; the random start of the hash still
 * keeps colliding keys from being prepared in advance.
 */
export class KeyTable {
  /** Keys held now. */
  size = 0
  private capacity = 0
  private mask = 0
  private keys: (string | undefined)[] = []
  private hashes = new Int32Array(0)
  private expiries = new Float64Array(0)
  private tokens = new Float64Array(0)
  private older = new Int32Array(0)
  private newer = new Int32Array(0)
  private oldest = none
  private newest = none
  private readonly seed = (Math.random() * 0x100000000) | 0
  private lastKey: string | undefined
  private lastHash = 0

  /** @param maxSize - the most keys it will hold; the slots grow up to twice that (a load of at most one half). */
  constructor(private readonly maxSize: number) {
    this.resize(16)
  }

  /** The slot holding `key`, or -1. */
  find(key: string): number {
    const hash = this.hashFor(key)
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      const held = this.keys[slot]
      if (held === undefined) return none
      if (this.hashes[slot] === hash && held === key) return slot
    }
  }

  /** The slot of the oldest key (the next to be evicted), or -1 when the table is empty. */
  oldestSlot(): number {
    return this.oldest
  }

  expiry(slot: number): number {
    return this.expiries[slot] as number
  }

  token(slot: number): number {
    return this.tokens[slot] as number
  }

  /** Changes a key's expiry and token in place: it keeps its place in the order. */
  update(slot: number, expiry: number, token: number): void {
    this.expiries[slot] = expiry
    this.tokens[slot] = token
  }

  /** Adds a key that is not in the table as the newest; then removes the oldest keys beyond `maxSize`. */
  add(key: string, expiry: number, token: number): void {
    if (2 * (this.size + 1) > this.capacity && this.capacity < 2 * this.maxSize) this.resize(2 * this.capacity)
    this.place(key, this.hashFor(key), expiry, token)
    while (this.size > this.maxSize) this.remove(this.oldest)
  }

  /** Removes the key in `slot`, moving later keys of its probe run back so that no lookup stops early. */
  remove(slot: number): void {
    this.unlink(slot)
    this.size -= 1
    let hole = slot
    for (let next = (slot + 1) & this.mask; this.keys[next] !== undefined; next = (next + 1) & this.mask) {
      // A key may fill the hole if its home slot is not between the hole and where it sits now.
      const home = (this.hashes[next] as number) & this.mask
      if (((next - home) & this.mask) >= ((next - hole) & this.mask)) {
        this.move(next, hole)
        hole = next
      }
    }
    this.keys[hole] = undefined
  }

  /** The key's hash; the last one is remembered, since a claim looks a key up, then adds it, then completes it. */
  private hashFor(key: string): number {
    if (key !== this.lastKey) {
      this.lastKey = key
      this.lastHash = hashOf(key, this.seed)
    }
    return this.lastHash
  }

  private place(key: string, hash: number, expiry: number, token: number): void {
    let slot = hash & this.mask
    while (this.keys[slot] !== undefined) slot = (slot + 1) & this.mask
    this.keys[slot] = key
    this.hashes[slot] = hash
    this.expiries[slot] = expiry
    this.tokens[slot] = token
    this.older[slot] = this.newest
    this.newer[slot] = none
    if (this.newest === none) this.oldest = slot
    else this.newer[this.newest] = slot
    this.newest = slot
    this.size += 1
  }

  private unlink(slot: number): void {
    const older = this.older[slot] as number
    const newer = this.newer[slot] as number
    if (older === none) this.oldest = newer
    else this.newer[older] = newer
    if (newer === none) this.newest = older
    else this.older[newer] = older
  }

  private move(from: number, to: number): void {
    this.keys[to] = this.keys[from]
    this.hashes[to] = this.hashes[from] as number
    this.expiries[to] = this.expiries[from] as number
    this.tokens[to] = this.tokens[from] as number
    const older = this.older[from] as number
    const newer = this.newer[from] as number
    this.older[to] = older
    this.newer[to] = newer
    if (older === none) this.oldest = to
    else this.newer[older] = to
    if (newer === none) this.newest = to
    else this.older[newer] = to
  }

  /** New slots, with every key placed again, oldest first (so the order is kept). */
  private resize(capacity: number): void {
    const { keys, hashes, expiries, tokens, newer } = this
    let slot = this.oldest
    this.capacity = capacity
    this.mask = capacity - 1
    this.keys = new Array<string | undefined>(capacity).fill(undefined)
    this.hashes = new Int32Array(capacity)
    this.expiries = new Float64Array(capacity)
    this.tokens = new Float64Array(capacity)
    this.older = new Int32Array(capacity)
    this.newer = new Int32Array(capacity)
    this.oldest = none
    this.newest = none
    this.size = 0
    while (slot !== none) {
      this.place(keys[slot] as string, hashes[slot] as number, expiries[slot] as number, tokens[slot] as number)
      slot = newer[slot] as number
    }
  }
}
