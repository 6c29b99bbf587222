/**
 * `node --import tsx bench/fast-paths.ts [--smoke] [--only=store,content-length,headers,ip]`:
 * each fast path of the core against the plain code it replaced (or would
 * replace), in one process, interleaved rounds, medians and per-round ratios
 * (STYLE.md: a fast path needs a number). It re-runs itself with
 * `--expose-gc`, so each variant starts from a collected heap.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { type AbOptions, type AbRow, type Comparison, runComparison, sink } from './fast-paths/ab.js'
import { contentLengthComparisons } from './fast-paths/content-length.js'
import { headerComparisons } from './fast-paths/headers.js'
import { ipComparisons } from './fast-paths/ip.js'
import { type HeapRow, storeComparisons, storeHeap } from './fast-paths/store.js'
import { formatNumber, formatRatio, markdownTable, table } from './shared.js'

if (!(globalThis as { gc?: unknown }).gc) {
  const args = ['--expose-gc', ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)]
  process.exit(spawnSync(process.execPath, args, { stdio: 'inherit' }).status ?? 1)
}

const smoke = process.argv.includes('--smoke')
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',')
const options: AbOptions = smoke
  ? { rounds: 1, warmupRounds: 0, timeMs: 5 }
  : { rounds: 7, warmupRounds: 1, timeMs: 100 }
const storeSizes = smoke ? [10_000] : [10_000, 100_000, 1_000_000]
const heapSizes = smoke ? [10_000] : [100_000, 1_000_000]

const candidates: [string, string, () => Comparison[]][] = [
  ['store', 'Memory dedupe store: KeyTable vs the Map of leases', () => storeComparisons(storeSizes)],
  ['content-length', 'Content-Length check in admit', contentLengthComparisons],
  ['headers', 'Repeated header names (node-request.ts distinctHeaders)', headerComparisons],
  ['ip', 'Socket address: parse + print + allowlist (ip.ts caches)', ipComparisons],
]

function log(line: string): void {
  process.stderr.write(`${line}\n`)
}

const ns = (value: number) => formatNumber(value, value < 100 ? 1 : 0)
const range = ([, low, high]: [number, number, number]) => `${low.toFixed(2)}–${high.toFixed(2)}`

function rowsOf(rows: readonly AbRow[]): string[][] {
  return rows.map((r) => [
    `${r.comparison} | ${r.variant}`,
    ns(r.p50),
    formatRatio(r.ratioP50[0]),
    range(r.ratioP50),
    ns(r.mean),
    formatRatio(r.ratioMean[0]),
    range(r.ratioMean),
  ])
}

const header = ['case | variant', 'p50 ns/op', '× first', 'rounds', 'mean ns/op', '× first', 'rounds']

async function main(): Promise<void> {
  const started = Date.now()
  const results: Record<string, AbRow[]> = {}
  let heap: HeapRow[] = []
  const out: string[] = []
  const markdown: string[] = []
  for (const [key, title, comparisons] of candidates) {
    if (only && !only.includes(key)) continue
    const rows: AbRow[] = []
    for (const comparison of comparisons()) {
      log(`${comparison.name}…`)
      rows.push(...(await runComparison(comparison, options)))
    }
    results[key] = rows
    out.push('', title, table(header, rowsOf(rows)))
    markdown.push('', `${title}:`, '', markdownTable(header, rowsOf(rows)))
    if (key === 'store') {
      log('store heap per retained id…')
      heap = storeHeap(heapSizes)
      const heapHeader = ['store', 'retained ids', 'B/id at maxEntries', 'B/id evicting', 'of which the key']
      const heapRows = heap.map((h) => [
        h.kind,
        formatNumber(h.retained),
        formatNumber(h.bytesPerId),
        formatNumber(h.evictingBytesPerId),
        formatNumber(h.keyBytes),
      ])
      out.push(
        '',
        'Store memory (heap + typed arrays, after gc, a child process per store)',
        table(heapHeader, heapRows),
      )
      markdown.push('', 'Store memory:', '', markdownTable(heapHeader, heapRows))
    }
  }
  const setup = `${options.rounds} rounds after ${options.warmupRounds} thrown away, order rotated each round, medians; × first = time over the first variant's in the same round; rounds = lowest–highest of those ratios`
  out.push(
    '',
    setup,
    `Node ${process.version}. Took ${Math.round((Date.now() - started) / 1000)} s. (sink ${sink.value})`,
  )
  process.stdout.write(`${out.join('\n')}\n`)
  const resultsDir = fileURLToPath(new URL('./results/', import.meta.url))
  mkdirSync(resultsDir, { recursive: true })
  const name = smoke ? 'fast-paths-smoke' : 'fast-paths'
  const report = { date: new Date().toISOString(), smoke, options, results, heap }
  writeFileSync(`${resultsDir}${name}.json`, `${JSON.stringify(report, null, 2)}\n`)
  writeFileSync(`${resultsDir}${name}.md`, `${[setup, ...markdown].join('\n')}\n`)
}

main().catch((error: unknown) => {
  log(`fast-paths failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  process.exit(1)
})
