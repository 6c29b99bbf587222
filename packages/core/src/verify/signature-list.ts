import { safeEqualAt } from './constant-time.js'

/** The version of a Standard Webhooks signature entry: `v1` (HMAC-SHA256), `v1a` (Ed25519), or another. */
export type SignatureVersion = 'v1' | 'v1a' | 'other'

/**
 * A Standard Webhooks signature list (`v1,<base64> v1a,<base64> …`), read
 * entry by entry in place: no split and no slices, since the symmetric check
 * runs on every delivery. Empty entries (repeated spaces) are skipped, and at
 * most `max` entries are read. After {@link next} returns true, `version` is
 * the entry's version and `[valueStart, end)` the span of its value in `list`
 * (after `v1,` or `v1a,`; the whole entry for another version).
 *
 * @example
 * ```ts
 * const entries = new SignatureList('v1,abc v1a,def', 16)
 * while (entries.next()) if (entries.version === 'v1' && entries.valueIs(digest)) return true
 * ```
 */
export class SignatureList {
  version: SignatureVersion = 'other'
  /** Where the current entry starts. */
  start = 0
  /** Where the current entry's value starts. */
  valueStart = 0
  /** Where the current entry ends (a space, or the end of the list). */
  end = -1
  /** How many entries were read so far. */
  count = 0

  constructor(
    readonly list: string,
    readonly max: number,
  ) {}

  /** Moves to the next non-empty entry; false at the end of the list or once `max` entries were read. */
  next(): boolean {
    const list = this.list
    for (let start = this.end + 1; start < list.length && this.count < this.max; ) {
      let end = list.indexOf(' ', start)
      if (end === -1) end = list.length
      if (end > start) {
        this.count++
        this.start = start
        this.end = end
        this.readVersion(start)
        return true
      }
      start = end + 1
    }
    return false
  }

  /** Whether the current entry's value is `expected`, in time that depends only on `expected.length`. */
  valueIs(expected: string): boolean {
    return expected.length === this.end - this.valueStart && safeEqualAt(this.list, this.valueStart, expected)
  }

  /** The current entry's value, cut out (for the `v1a` path, which decodes it). */
  value(): string {
    return this.list.slice(this.valueStart, this.end)
  }

  /** The current entry, whole (for the diagnosis of a failure). */
  entry(): string {
    return this.list.slice(this.start, this.end)
  }

  private readVersion(start: number): void {
    if (this.list.startsWith('v1,', start)) {
      this.version = 'v1'
      this.valueStart = start + 3
    } else if (this.list.startsWith('v1a,', start)) {
      this.version = 'v1a'
      this.valueStart = start + 4
    } else {
      this.version = 'other'
      this.valueStart = start
    }
  }
}

/** The entries {@link SignatureList} reads, cut out: what a failure's diagnosis inspects. */
export function signatureEntries(list: string, max: number): string[] {
  const entries = new SignatureList(list, max)
  const found: string[] = []
  while (entries.next()) found.push(entries.entry())
  return found
}
