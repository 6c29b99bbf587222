import ipaddr from 'ipaddr.js'

/** A parsed address; IPv4-mapped IPv6 addresses are turned into IPv4. */
export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6

const embeddedIpv4 = /:([^:]*\.[^:]*)$/

/**
 * Parses an address strictly: dotted-quad IPv4 with no leading zeros, octal,
 * hex or shortened forms; IPv6 without zone ids. Returns `null` otherwise.
 * `::ffff:a.b.c.d` and its hex and expanded forms become the IPv4 address.
 *
 * @example
 * ```ts
 * parseIp('::ffff:203.0.113.9')?.toString() // '203.0.113.9'
 * parseIp('0177.0.0.1') // null
 * ```
 */
export function parseIp(text: string): IpAddress | null {
  if (text.length > 64) return null
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text)
  if (text.includes('%') || !ipaddr.IPv6.isValid(text)) return null
  const v4 = embeddedIpv4.exec(text)
  if (v4 && !ipaddr.IPv4.isValidFourPartDecimal(v4[1] as string)) return null
  // ipaddr.js reads `::a.b.c.d` (IPv4-compatible, not mapped) as `::ffff:a.b.c.d`; `0::` keeps it the IPv6 it is.
  const address = ipaddr.IPv6.parse(v4 && text.startsWith('::') && text.lastIndexOf(':') === 1 ? `0${text}` : text)
  return address.isIPv4MappedAddress() ? address.toIPv4Address() : address
}

/**
 * A guard's memory of the client addresses it has seen: their parsed form and
 * their canonical text. Senders call from a handful of addresses, and parsing
 * is dear: a dual-stack server's `::ffff:a.b.c.d` costs 16–63 µs to parse with
 * ipaddr.js (it throws and catches inside), a hit about 30 ns; the text is
 * 3–4× cheaper remembered (the repository's fast-path benchmark). One per guard, bounded,
 * cleared when full.
 */
export interface AddressCache {
  parse(text: string): IpAddress | null
  /** The canonical text of an address (`203.0.113.9`, `2001:db8::1`). */
  text(address: IpAddress): string
}

/** A new {@link AddressCache} remembering up to `size` address texts. */
export function createAddressCache(size = 1024): AddressCache {
  const parsed = new Map<string, IpAddress | null>()
  const texts = new WeakMap<IpAddress, string>()
  return {
    parse(text) {
      let address = parsed.get(text)
      if (address === undefined) {
        address = parseIp(text)
        if (parsed.size >= size) parsed.clear()
        parsed.set(text, address)
      }
      return address
    },
    text(address) {
      let text = texts.get(address)
      if (text === undefined) {
        text = address.toString()
        texts.set(address, text)
      }
      return text
    },
  }
}

/** A compiled allowlist or trusted-proxy list. */
export interface IpMatcher {
  matches(address: IpAddress): boolean
}

/** Told of a rule with host bits set (`10.0.0.1/8`): it is read as the network it means (`10.0.0.0/8`). */
export type HostBitsWarning = (rule: string, network: string) => void

function parseRule(rule: string, option: string): [IpAddress, number] {
  const fail = () => new TypeError(`${option}: invalid address or CIDR range "${rule}"`)
  const slash = rule.indexOf('/')
  const address = parseIp(slash === -1 ? rule : rule.slice(0, slash))
  if (!address) throw fail()
  const max = address.kind() === 'ipv4' ? 32 : 128
  if (slash === -1) return [address, max]
  const prefixText = rule.slice(slash + 1)
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) throw fail()
  let prefix = Number(prefixText)
  // A mapped IPv6 rule (::ffff:10.0.0.0/104) was turned into IPv4: shift the prefix with it.
  if (max === 32 && rule.slice(0, slash).includes(':')) prefix -= 96
  if (prefix < 0 || prefix > max) throw fail()
  return [address, prefix]
}

/** The network a range means: the address with every bit past the prefix cleared. */
function networkOf(address: IpAddress, prefix: number): IpAddress {
  const bytes = address.toByteArray()
  for (let i = 0; i < bytes.length; i++) {
    const kept = Math.max(0, Math.min(8, prefix - i * 8))
    bytes[i] = (bytes[i] as number) & ((0xff << (8 - kept)) & 0xff)
  }
  return ipaddr.fromByteArray(bytes)
}

/**
 * Compiles a list of addresses and CIDR ranges. An invalid rule throws a
 * `TypeError` naming the option, so a typo fails at start-up, not at 3 a.m.
 * A range with host bits set (`203.0.113.7/24`) is read as its network
 * (`203.0.113.0/24`), and `onHostBits` is told, once per such rule: the rule
 * may be a typo for a single address.
 *
 * Every rule becomes a range of 128-bit keys (an IPv4 rule as the IPv4-mapped
 * range `::ffff:a.b.c.d`, so an IPv6 rule such as `::/0` covers IPv4 clients
 * too); the ranges are sorted and the nested ones dropped (two CIDR ranges are
 * either disjoint or one holds the other), and a lookup halves the list: 14
 * steps for 10,000 rules (bench/allowlist-scaling.ts).
 */
export function compileIpRules(rules: readonly string[], option: string, onHostBits?: HostBitsWarning): IpMatcher {
  if (!Array.isArray(rules)) throw new TypeError(`${option} must be an array of addresses or CIDR ranges`)
  const ranges = rules.map((rule): KeyRange => {
    if (typeof rule !== 'string') throw new TypeError(`${option}: every rule must be a string`)
    const [address, prefix] = parseRule(rule, option)
    const network = networkOf(address, prefix)
    if (network.toString() !== address.toString()) onHostBits?.(rule, `${network.toString()}/${prefix}`)
    return keyRange(network, prefix)
  })
  return rangeMatcher(disjoint(ranges))
}

/** A CIDR range as its first and last 128-bit keys, four 32-bit words each, most significant first. */
type KeyRange = { first: Uint32Array; last: Uint32Array }

/** The 128-bit key of an address: IPv4 as its IPv4-mapped IPv6 form. */
function keyOf(address: IpAddress, key: Uint32Array): Uint32Array {
  if (address.kind() === 'ipv4') {
    const [a, b, c, d] = (address as ipaddr.IPv4).octets as [number, number, number, number]
    key[0] = 0
    key[1] = 0
    key[2] = 0xffff
    key[3] = ((a << 24) | (b << 16) | (c << 8) | d) >>> 0
  } else {
    const parts = (address as ipaddr.IPv6).parts
    for (let i = 0; i < 4; i++) key[i] = (((parts[2 * i] as number) << 16) | (parts[2 * i + 1] as number)) >>> 0
  }
  return key
}

function keyRange(network: IpAddress, prefix: number): KeyRange {
  const first = keyOf(network, new Uint32Array(4))
  const bits = network.kind() === 'ipv4' ? 96 + prefix : prefix
  const last = first.slice()
  for (let i = 0; i < 4; i++) {
    const kept = Math.max(0, Math.min(32, bits - i * 32))
    // The host bits of word i set: all 32 when none of it is kept (a shift by 32 is a shift by 0 in JavaScript).
    if (kept < 32) last[i] = ((last[i] as number) | (0xffffffff >>> kept)) >>> 0
  }
  return { first, last }
}

/** -1, 0 or 1 as key `a` is below, equal to or above key `b`. */
function compareKeys(a: Uint32Array, b: Uint32Array): number {
  for (let i = 0; i < 4; i++) {
    if ((a[i] as number) !== (b[i] as number)) return (a[i] as number) < (b[i] as number) ? -1 : 1
  }
  return 0
}

/** The ranges sorted by first key, the ones inside another dropped: what is left is disjoint and ascending. */
function disjoint(ranges: KeyRange[]): KeyRange[] {
  // For the same first key, the wider range (larger last key) comes first and swallows the narrower.
  ranges.sort((x, y) => compareKeys(x.first, y.first) || compareKeys(y.last, x.last))
  const kept: KeyRange[] = []
  for (const range of ranges) {
    const previous = kept[kept.length - 1]
    if (!previous || compareKeys(range.first, previous.last) > 0) kept.push(range)
  }
  return kept
}

/** -1, 0 or 1 as the key at `keys[at..at+3]` is below, equal to or above `key`. */
function compareAt(keys: Uint32Array, at: number, key: Uint32Array): number {
  for (let i = 0; i < 4; i++) {
    const word = keys[at + i] as number
    if (word !== (key[i] as number)) return word < (key[i] as number) ? -1 : 1
  }
  return 0
}

function rangeMatcher(ranges: readonly KeyRange[]): IpMatcher {
  // Flat arrays, four words a key, so a lookup's 14 steps (10,000 rules) read memory side by side, not 28 objects.
  const firsts = new Uint32Array(ranges.length * 4)
  const lasts = new Uint32Array(ranges.length * 4)
  ranges.forEach((range, i) => {
    firsts.set(range.first, i * 4)
    lasts.set(range.last, i * 4)
  })
  const key = new Uint32Array(4)
  return {
    matches(address: IpAddress): boolean {
      keyOf(address, key)
      // The last range whose first key is at or below the address's: the only one that can hold it.
      let low = 0
      let high = ranges.length - 1
      while (low <= high) {
        const middle = (low + high) >>> 1
        if (compareAt(firsts, middle * 4, key) <= 0) low = middle + 1
        else high = middle - 1
      }
      return high >= 0 && compareAt(lasts, high * 4, key) >= 0
    },
  }
}
