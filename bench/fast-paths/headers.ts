/**
 * Candidate 3: how the Node request reader tells that no header name came
 * twice. The current code compares `rawHeaders.length` with twice the
 * names of `req.headers`, counted with `for…in`; the plain code counts them
 * with `Object.keys`. The last five scan `rawHeaders` itself (the coming
 * correctness fix) in different ways.
 */
import type { IncomingHttpHeaders } from 'node:http'
import { IncomingMessage } from 'node:http'
import { Socket } from 'node:net'
import { type Comparison, sink, type Variant } from './ab.js'
import { freshStrings } from './fresh-strings.js'

interface Delivery {
  headers: IncomingHttpHeaders
  rawHeaders: string[]
}

/** Whether some header name came twice. */
type Repeats = (delivery: Delivery) => boolean

/** As in node-request.ts. */
function countNames(headers: object): number {
  let count = 0
  for (const _name in headers) count += 1
  return count
}

const byCount: Repeats = ({ headers, rawHeaders }) => rawHeaders.length !== 2 * countNames(headers)

const byKeys: Repeats = ({ headers, rawHeaders }) => rawHeaders.length !== 2 * Object.keys(headers).length

const bySet: Repeats = ({ rawHeaders }) => {
  const seen = new Set<string>()
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase()
    if (seen.has(name)) return true
    seen.add(name)
  }
  return false
}

/** Lower-cases every name into a small array and compares each with those before it. */
const byLoop: Repeats = ({ rawHeaders }) => {
  const names: string[] = []
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase()
    for (const seen of names) if (seen === name) return true
    names.push(name)
  }
  return false
}

/** Compares each name with those before it, lower-casing only names of the same length. */
const byLengthFirst: Repeats = ({ rawHeaders }) => {
  for (let i = 2; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string
    for (let j = 0; j < i; j += 2) {
      const other = rawHeaders[j] as string
      if (other.length === name.length && other.toLowerCase() === name.toLowerCase()) return true
    }
  }
  return false
}

/** Whether two names of the same length are equal but for the case of their letters, without new strings. */
function sameName(a: string, b: string): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y && ((x ^ y) !== 0x20 || (x | 0x20) < 0x61 || (x | 0x20) > 0x7a)) return false
  }
  return true
}

/** Compares each name with those before it of the same length, letter by letter, ignoring case. */
const byCharCodes: Repeats = ({ rawHeaders }) => {
  for (let i = 2; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string
    for (let j = 0; j < i; j += 2) {
      const other = rawHeaders[j] as string
      if (other.length === name.length && sameName(other, name)) return true
    }
  }
  return false
}

const bySort: Repeats = ({ rawHeaders }) => {
  const names: string[] = []
  for (let i = 0; i < rawHeaders.length; i += 2) names.push((rawHeaders[i] as string).toLowerCase())
  names.sort()
  for (let i = 1; i < names.length; i++) if (names[i] === names[i - 1]) return true
  return false
}

const ways: [string, Repeats][] = [
  ['for…in count vs rawHeaders (current)', byCount],
  ['Object.keys count vs rawHeaders (plain)', byKeys],
  ['scan rawHeaders: lower-case + Set', bySet],
  ['scan rawHeaders: lower-case + nested loop', byLoop],
  ['scan rawHeaders: nested loop, lower-case on equal length', byLengthFirst],
  ['scan rawHeaders: nested loop, equal length, char codes', byCharCodes],
  ['scan rawHeaders: lower-case + sort', bySort],
]

/** The names a signed delivery through a proxy carries, as HTTP/1.1 senders write them. */
const names16 = [
  'Host',
  'User-Agent',
  'Content-Length',
  'Accept',
  'Accept-Encoding',
  'Content-Type',
  'Webhook-Id',
  'Webhook-Timestamp',
  'Webhook-Signature',
  'Connection',
  'X-Forwarded-For',
  'X-Forwarded-Proto',
  'X-Forwarded-Host',
  'X-Request-Id',
  'Traceparent',
  'Cache-Control',
]

const socket = new Socket()
// node:http builds `req.headers` from `rawHeaders` on its first read, counting them with this internal symbol.
const headersCount = Object.getOwnPropertySymbols(new IncomingMessage(socket)).find(
  (symbol) => symbol.description === 'kHeadersCount',
)

/** `req.headers` (built here, as node:http builds it before a handler runs) and `req.rawHeaders`. */
function delivery(rawHeaders: string[]): Delivery {
  const req = new IncomingMessage(socket)
  req.rawHeaders = rawHeaders
  if (headersCount) (req as unknown as Record<symbol, number>)[headersCount] = rawHeaders.length
  else for (let i = 0; i < rawHeaders.length; i += 2) req.headers[rawHeaders[i]!.toLowerCase()] = rawHeaders[i + 1]
  return { headers: req.headers, rawHeaders }
}

function rawHeadersOf(names: readonly string[]): string[] {
  return names.flatMap((name, i) => [name, `value-${i}`])
}

/** Every way must find the repeat and see none where there is none, or its figure means nothing. */
function checkWays(): void {
  const clean = delivery(rawHeadersOf(names16))
  const repeated = delivery(
    rawHeadersOf([...names16.slice(0, 8), 'Authorization', ...names16.slice(8), 'authorization']),
  )
  // `^` and `~` differ by 0x20 as letters of two cases do.
  const nearMiss = delivery(rawHeadersOf([...names16, 'X-A^', 'X-A~']))
  for (const [name, repeats] of ways) {
    if (repeats(clean) || !repeats(repeated) || repeats(nearMiss))
      throw new Error(`headers benchmark: ${name} is wrong`)
  }
}

const samples = 100
const batch = 100

function variant(name: string, repeats: Repeats, names: readonly string[]): Variant {
  return {
    name,
    prepare: () => {
      const count = (samples + samples / 5) * batch
      const raw = freshStrings(Array.from({ length: count }, () => rawHeadersOf(names)).flat())
      const perDelivery = 2 * names.length
      const deliveries = Array.from({ length: count }, (_, i) =>
        delivery(raw.slice(i * perDelivery, (i + 1) * perDelivery)),
      )
      let at = 0
      return () => {
        let found = 0
        for (let i = 0; i < batch; i++) if (repeats(deliveries[at++] as Delivery)) found += 1
        if (found !== 0) throw new Error(`headers benchmark: ${name} saw a repeat`)
        sink.value += batch
      }
    },
  }
}

export function headerComparisons(): Comparison[] {
  checkWays()
  const cases: [string, readonly string[]][] = [
    ['10 headers, HTTP/1.1 capitals', names16.slice(0, 10)],
    ['16 headers, HTTP/1.1 capitals', names16],
    ['16 headers, lower case', names16.map((n) => n.toLowerCase())],
  ]
  return cases.map(([name, names]) => ({
    name: `no repeated header name? ${name}`,
    batch,
    samples,
    variants: ways.map(([way, repeats]) => variant(way, repeats, names)),
  }))
}
