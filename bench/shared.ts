import { createHmac, randomBytes } from 'node:crypto'

/** The webhook secret every benchmark signs with: raw key and its `whsec_` form. */
export interface BenchSecret {
  key: Buffer
  whsec: string
}

/** A fixed secret, so the server child and the load generator agree without passing it around. */
export function benchSecret(): BenchSecret {
  const key = Buffer.from('aG9va2d1YXJkLWJlbmNoLXNlY3JldC0yNC1ieXRlcw==', 'base64')
  return { key, whsec: `whsec_${key.toString('base64')}` }
}

/** A JSON webhook body of exactly `size` bytes (ASCII), shaped like a real event. */
export function jsonPayload(size: number): string {
  const head = '{"type":"invoice.paid","id":"evt_bench","data":{"object":"invoice","amount":4200,"pad":"'
  const tail = '"}}'
  const padding = size - head.length - tail.length
  if (padding < 0) throw new RangeError(`payload size ${size} is too small`)
  return head + 'x'.repeat(padding) + tail
}

/** Standard Webhooks headers for one delivery (`v1` HMAC-SHA256 of `id.timestamp.body`). */
export function signStandard(
  key: Buffer,
  id: string,
  timestamp: number,
  body: string | Uint8Array,
): Record<string, string> {
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64')
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': `v1,${signature}`,
  }
}

/** A unique event id; the run tag keeps ids unique across runs against a shared store. */
export function eventIdFactory(): () => string {
  const tag = randomBytes(4).toString('hex')
  let counter = 0
  return () => `msg_${tag}_${(counter++).toString(36)}`
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + sorted[middle]!) / 2
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000)
}

/** A plain-text table: a header row, a rule, right-aligned numbers. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

/** The same table as Markdown, for the README. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n')
}

export function formatNumber(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return 'n/a'
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

export function formatRatio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a'
}

export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${bytes / (1024 * 1024)} MiB`
  if (bytes >= 1024) return `${bytes / 1024} KiB`
  return `${bytes} B`
}

/** One benchmark target and how it came out. */
export interface TargetResult {
  name: string
  goal: string
  measured: number
  pass: boolean
  note?: string
  /** The lowest and highest of the per-round ratios behind `measured` (their median), when there are rounds. */
  range?: [number, number]
}
