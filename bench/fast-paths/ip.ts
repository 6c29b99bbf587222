/**
 * Candidate 4: what `admit` does with the socket address on every request
 * (steps 2 and the log's source IP): parse it, print it, and match it against
 * the allowlist. The current code caches the first two (admit/ip.ts: a guard's
 * AddressCache of parsed and printed addresses) and matches by halving sorted
 * ranges; the plain code is the same minus the caches, with the linear scan
 * the matcher used before, copied below. Variants in between keep some of the
 * caches, and one adds back the answer cache the linear scan needed (a
 * WeakMap of each address's answer), to tell what each one is worth.
 */
import ipaddr from 'ipaddr.js'
import { compileIpRules, createAddressCache, type IpAddress, parseIp } from '../../packages/core/src/admit/ip.js'
import { type Comparison, sink, type Variant } from './ab.js'
import { freshStrings } from './fresh-strings.js'

const embeddedIpv4 = /:([^:]*\.[^:]*)$/

/** ip.ts's `parseUncached`, verbatim. */
function parsePlain(text: string): IpAddress | null {
  if (text.length > 64) return null
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text)
  if (text.includes('%') || !ipaddr.IPv6.isValid(text)) return null
  const v4 = embeddedIpv4.exec(text)
  if (v4 && !ipaddr.IPv4.isValidFourPartDecimal(v4[1] as string)) return null
  const address = ipaddr.IPv6.parse(v4 && text.startsWith('::') && text.lastIndexOf(':') === 1 ? `0${text}` : text)
  return address.isIPv4MappedAddress() ? address.toIPv4Address() : address
}

/** ip.ts's `compileIpRules` before the sorted ranges: a linear scan (rules parsed by the real code). */
export function linearMatcher(rules: readonly string[]): (address: IpAddress) => boolean {
  const ranges = rules.map((rule): [IpAddress, number] => {
    const [text, prefix] = rule.split('/') as [string, string]
    const address = parseIp(text)!
    return [address, text.includes(':') && address.kind() === 'ipv4' ? Number(prefix) - 96 : Number(prefix)]
  })
  return (address) => {
    for (const [network, prefix] of ranges) {
      if (address.kind() === network.kind()) {
        if (address.match(network, prefix)) return true
      } else if (address.kind() === 'ipv4' && network.kind() === 'ipv6') {
        if ((address as ipaddr.IPv4).toIPv4MappedAddress().match(network, prefix)) return true
      }
    }
    return false
  }
}

/** The allowed senders' range; the benchmark's addresses all fall in it. */
const senders = '198.18.0.0/15'

/** 100 rules: 89 IPv4 ranges, 10 IPv6 ones, the senders' range last (every lookup walks the whole list). */
const hundredRules = [
  ...Array.from({ length: 89 }, (_, i) => `10.${i}.0.0/16`),
  ...Array.from({ length: 10 }, (_, i) => `2001:db8:${i.toString(16)}::/48`),
  senders,
]

const samples = 60
const batch = 100

type Form = 'mapped' | 'ipv4'
/** A client's address as a dual-stack node server (`listen(port)`) sees it, or one listening on IPv4 only. */
const forms: Record<Form, (n: number) => string> = {
  mapped: (n) => `::ffff:198.18.${(n >> 8) & 255}.${n & 255}`,
  ipv4: (n) => `198.18.${(n >> 8) & 255}.${n & 255}`,
}

type Admit = (text: string) => boolean

function variant(name: string, admit: Admit, form: Form, addresses: 'same' | 'distinct'): Variant {
  return {
    name,
    prepare: () => {
      const count = (samples + samples / 5) * batch
      // Keep-alive: the same string (the socket's address is read once); else a new address on every request.
      const address = forms[form]
      const same = address(9)
      const texts =
        addresses === 'same'
          ? new Array<string>(count).fill(same)
          : freshStrings(Array.from({ length: count }, (_, i) => address(i)))
      let at = 0
      return () => {
        let allowed = 0
        for (let i = 0; i < batch; i++) if (admit(texts[at++] as string)) allowed += 1
        if (allowed !== batch) throw new Error(`ip benchmark: ${name} refused an allowed address`)
        sink.value += allowed
      }
    },
  }
}

function cachedAdmit(rules: readonly string[]): Admit {
  const matcher = rules.length > 0 ? compileIpRules(rules, 'allowIps') : undefined
  const addresses = createAddressCache()
  return (text) => {
    const address = addresses.parse(text)
    if (!address) return false
    sink.value += addresses.text(address).length
    return matcher ? matcher.matches(address) : true
  }
}

/** Only the parse cached (printing as in the plain code, matching as in the current one). */
function parseCachedAdmit(rules: readonly string[]): Admit {
  const matches = rules.length > 0 ? compileIpRules(rules, 'allowIps') : undefined
  const addresses = createAddressCache()
  return (text) => {
    const address = addresses.parse(text)
    if (!address) return false
    sink.value += address.toString().length
    return matches ? matches.matches(address) : true
  }
}

/** The current code plus the answer cache the linear scan had: each address's answer remembered in a WeakMap. */
function answerCacheAdmit(rules: readonly string[]): Admit {
  const matcher = rules.length > 0 ? compileIpRules(rules, 'allowIps') : undefined
  const answers = new WeakMap<IpAddress, boolean>()
  const addresses = createAddressCache()
  return (text) => {
    const address = addresses.parse(text)
    if (!address) return false
    sink.value += addresses.text(address).length
    if (!matcher) return true
    let answer = answers.get(address)
    if (answer === undefined) {
      answer = matcher.matches(address)
      answers.set(address, answer)
    }
    return answer
  }
}

function plainAdmit(rules: readonly string[]): Admit {
  const matches = rules.length > 0 ? linearMatcher(rules) : undefined
  return (text) => {
    const address = parsePlain(text)
    if (!address) return false
    sink.value += address.toString().length
    return matches ? matches(address) : true
  }
}

export function ipComparisons(): Comparison[] {
  const lists: [string, string[]][] = [
    ['no allowlist (parse + print only)', []],
    ['1-rule allowlist', [senders]],
    ['100-rule allowlist', hundredRules],
  ]
  const list: Comparison[] = []
  for (const form of ['mapped', 'ipv4'] as const) {
    for (const addresses of ['same', 'distinct'] as const) {
      for (const [listName, rules] of lists) {
        const how = addresses === 'same' ? 'same address (keep-alive)' : 'a new address each time'
        list.push({
          name: `${form === 'mapped' ? '::ffff:a.b.c.d' : 'a.b.c.d'}, ${listName}, ${how}`,
          batch,
          samples,
          variants: [
            variant('cached (current)', cachedAdmit(rules), form, addresses),
            variant('uncached (plain)', plainAdmit(rules), form, addresses),
            variant('parse cache only', parseCachedAdmit(rules), form, addresses),
            ...(rules.length > 0
              ? [variant('current + answer cache (WeakMap)', answerCacheAdmit(rules), form, addresses)]
              : []),
          ],
        })
      }
    }
  }
  return list
}
