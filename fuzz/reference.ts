import { isIPv4, isIPv6 } from 'node:net'

// An IP reference written apart from the code under test: Node's own strict
// validity check (`node:net`), and a small expansion to bytes for comparing.

/** The 4 or 16 bytes of a strict address (IPv4-mapped IPv6 gives the 4), or `null`. */
export function ipBytes(text: string): number[] | null {
  if (isIPv4(text)) return text.split('.').map(Number)
  if (!isIPv6(text) || text.includes('%')) return null
  let head = text
  const tail: number[] = []
  const dotted = text.lastIndexOf(':')
  if (text.includes('.')) {
    const v4 = ipBytes(text.slice(dotted + 1)) as number[]
    tail.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number))
    head = text.slice(0, dotted + 1)
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1)
  }
  const [left = '', right] = head.split('::')
  const words = (part: string) => (part === '' ? [] : part.split(':').map((w) => Number.parseInt(w, 16)))
  const leftWords = words(left)
  const rightWords = [...(right === undefined ? [] : words(right)), ...tail]
  const zeros = 8 - leftWords.length - rightWords.length
  const all =
    right === undefined && tail.length > 0
      ? [...leftWords, ...tail]
      : [...leftWords, ...Array(zeros).fill(0), ...rightWords]
  const bytes = all.flatMap((word) => [word >> 8, word & 0xff])
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff
  return mapped ? bytes.slice(12) : bytes
}

/** The 16-byte form: IPv4 as IPv4-mapped IPv6. */
export function asV6(bytes: readonly number[]): number[] {
  return bytes.length === 16 ? [...bytes] : [...Array(10).fill(0), 0xff, 0xff, ...bytes]
}

/** Whether `address` lies in `network/prefix` (both as bytes of the same length). */
export function inPrefix(address: readonly number[], network: readonly number[], prefix: number): boolean {
  for (let bit = 0; bit < prefix; bit++) {
    const byte = bit >> 3
    const mask = 0x80 >> (bit & 7)
    if (((address[byte] as number) & mask) !== ((network[byte] as number) & mask)) return false
  }
  return true
}

/** A rule as the reference reads it: strict address, optional decimal prefix without leading zeros. */
export function referenceRule(rule: string): { network: number[]; prefix: number } | null {
  const slash = rule.indexOf('/')
  const addressText = slash === -1 ? rule : rule.slice(0, slash)
  const network = ipBytes(addressText)
  if (!network) return null
  const mappedForm = network.length === 4 && addressText.includes(':')
  const max = network.length === 4 ? 32 : 128
  if (slash === -1) return { network, prefix: max }
  const prefixText = rule.slice(slash + 1)
  if (!/^(0|[1-9][0-9]*)$/.test(prefixText)) return null
  const prefix = Number(prefixText) - (mappedForm ? 96 : 0)
  return prefix >= 0 && prefix <= max ? { network, prefix } : null
}

/** Whether an address (bytes) matches a reference rule, across families as the guard promises. */
export function referenceMatches(address: readonly number[], rule: { network: number[]; prefix: number }): boolean {
  if (address.length === rule.network.length) return inPrefix(address, rule.network, rule.prefix)
  if (address.length === 4) return inPrefix(asV6(address), rule.network, rule.prefix)
  return false
}

/** Bytes of a parsed address's string form, for comparing with the reference. */
export function sameAddress(a: readonly number[] | null, b: readonly number[] | null): boolean {
  return a !== null && b !== null && a.length === b.length && a.every((byte, i) => byte === b[i])
}
