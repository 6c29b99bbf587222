/**
 * `npm run bench:scaling [-- --smoke] [-- --skip-allowlist] [-- --skip-store]`: how cost grows
 * (issue 24), each as a curve, in one run:
 * - the memory dedupe store at 10k, 100k, 1M and 10M retained ids (10M only
 *   when the machine has the memory free): bytes per id and µs per claim +
 *   complete, one child process per size (bench/scaling/store-child.ts);
 * - secrets under rotation: 1, 2 and 8 keys, the valid signature under the last;
 * - body size, 256 B to 1 MiB, for each verifier against a `node:crypto` floor;
 * - memory: a guard's RSS while it holds concurrent slow bodies at the limit
 *   (the memory test's server, test/memory-server.ts);
 * - the allowlist by rule count: bench/allowlist-scaling.ts run as a child
 *   (`--no-linear`; `--skip-allowlist` takes its last results file instead).
 * `--skip-store` keeps the store curve of the committed bench/scaling-results.json
 * (its date in a note): the 10M-id child alone takes minutes.
 * Results: bench/results/scaling.json and .md; a full run also writes
 * bench/scaling-results.json, the committed numbers bench/scaling-chart.ts
 * draws bench/scaling.svg from. `--smoke` runs every curve once, briefly
 * (CI), and writes only bench/results/scaling-smoke.*.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { freemem, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import type { AbRow } from './fast-paths/ab.js'
import { type MemoryRow, memoryCurve } from './scaling/memory.js'
import { type BodyRow, bodyCurve, type RotationRow, rotationCurve } from './scaling/verify.js'
import { formatNumber, formatRatio, formatSize, markdownTable, table } from './shared.js'

const smoke = process.argv.includes('--smoke')
const skipAllowlist = process.argv.includes('--skip-allowlist')
const skipStore = process.argv.includes('--skip-store')
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))
const resultsDir = here('./results/')

const GiB = 1024 ** 3
const storeSizes = smoke ? [10_000] : [10_000, 100_000, 1_000_000, 10_000_000]
/** What a 10M store needs, with room: about 200 B per id, the id strings and the table's slots, twice over. */
const bytesFor = (count: number) => count * 400 + 0.5 * GiB
const storeTiming = smoke ? { samples: 3, batch: 1000 } : { samples: 21, batch: 10_000 }
const timing = smoke ? { rounds: 1, warmupRounds: 0, samples: 2 } : { rounds: 5, warmupRounds: 1, samples: 15 }
const keyCounts = [1, 2, 8]
const bodySizes = [256, 4096, 65_536, 1_048_576]
const maxBodyBytes = 64 * 1024
const uploadCounts = smoke ? [50] : [100, 1000]

function log(line: string): void {
  process.stderr.write(`${line}\n`)
}

export interface StoreRow {
  retained: number
  bytesPerId: number
  nsPerClaimComplete: number
  minNs: number
  maxNs: number
  fillMs: number
  rss: number
}

function storeCurve(notes: string[]): StoreRow[] {
  const child = here('./scaling/store-child.ts')
  const rows: StoreRow[] = []
  for (const retained of storeSizes) {
    const need = bytesFor(retained)
    if (retained > 1_000_000 && freemem() < 2 * need) {
      const note = `store at ${formatNumber(retained)} ids skipped: ${(freemem() / GiB).toFixed(1)} GiB free of ${(totalmem() / GiB).toFixed(1)}, want ${((2 * need) / GiB).toFixed(1)}`
      log(`  ${note}`)
      notes.push(note)
      continue
    }
    log(`  store, ${formatNumber(retained)} retained ids…`)
    const heapMb = Math.ceil(need / 1024 ** 2)
    const out = execFileSync(
      process.execPath,
      [
        '--expose-gc',
        `--max-old-space-size=${Math.max(heapMb, 2048)}`,
        '--import',
        'tsx',
        child,
        String(retained),
        String(storeTiming.samples),
        String(storeTiming.batch),
      ],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    )
    rows.push({ retained, ...(JSON.parse(out) as Omit<StoreRow, 'retained'>) })
  }
  return rows
}

interface AllowlistResult {
  source: string
  date: string
  counts: number[]
  rows: AbRow[]
}

function allowlistCurve(notes: string[]): AllowlistResult | undefined {
  const name = smoke ? 'allowlist-scaling-smoke' : 'allowlist-scaling-current'
  if (!skipAllowlist) {
    const args = ['--import', 'tsx', here('./allowlist-scaling.ts'), smoke ? '--smoke' : '--no-linear']
    const run = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] })
    if (run.status !== 0) throw new Error(`allowlist scaling exited with ${run.status}`)
  }
  for (const file of [name, 'allowlist-scaling']) {
    const path = `${resultsDir}${file}.json`
    if (!existsSync(path)) continue
    const report = JSON.parse(readFileSync(path, 'utf8')) as Omit<AllowlistResult, 'source'>
    return { source: `bench/results/${file}.json`, date: report.date, counts: report.counts, rows: report.rows }
  }
  // No results file in this checkout (bench/results is not committed): the committed curve, said so.
  const committed = JSON.parse(readFileSync(here('./scaling-results.json'), 'utf8')) as {
    allowlist?: AllowlistResult
  }
  if (committed.allowlist) {
    notes.push(
      `allowlist: the curve of ${committed.allowlist.date.slice(0, 10)} (bench/scaling-results.json), not re-measured in this run`,
    )
    return committed.allowlist
  }
  notes.push('allowlist: no results file (run without --skip-allowlist)')
  return undefined
}

const us = (value: number) => formatNumber(value, value < 10 ? 2 : 1)
const range = ([, low, high]: [number, number, number]) => `${low.toFixed(2)}–${high.toFixed(2)}×`

function storeTable(rows: readonly StoreRow[]) {
  return {
    header: ['retained ids', 'B per id', 'MiB held', 'µs per claim+complete', 'samples min–max µs'],
    rows: rows.map((r) => [
      formatNumber(r.retained),
      formatNumber(r.bytesPerId),
      formatNumber((r.bytesPerId * r.retained) / 1024 ** 2, 1),
      us(r.nsPerClaimComplete / 1000),
      `${us(r.minNs / 1000)}–${us(r.maxNs / 1000)}`,
    ]),
  }
}

function rotationTable(rows: readonly RotationRow[]) {
  const verifiers = [...new Set(rows.map((r) => r.verifier))]
  return {
    header: [
      'verifier (4 KiB body)',
      ...keyCounts.map((k) => `${k} key${k > 1 ? 's' : ''} µs`),
      '× 1 key (8 keys)',
      'rounds',
    ],
    rows: verifiers.map((v) => {
      const cells = keyCounts.map((k) => rows.find((r) => r.verifier === v && r.keys === k) as RotationRow)
      const last = cells[cells.length - 1] as RotationRow
      return [v, ...cells.map((c) => us(c.microseconds)), formatRatio(last.ratio[0]), range(last.ratio)]
    }),
  }
}

function bodyTable(rows: readonly BodyRow[]) {
  const ours = rows.filter((r) => r.verifier !== r.floor)
  const verifiers = [...new Set(ours.map((r) => r.verifier))]
  const header = ['verifier', 'floor', ...bodySizes.map((s) => `${formatSize(s)} µs (× floor)`)]
  return {
    header,
    rows: verifiers.flatMap((v) => {
      const cells = bodySizes.map((s) => ours.find((r) => r.verifier === v && r.size === s) as BodyRow)
      const floors = bodySizes.map(
        (s) => rows.find((r) => r.verifier === r.floor && r.floor === cells[0]!.floor && r.size === s) as BodyRow,
      )
      return [
        [v, '', ...cells.map((c) => `${us(c.microseconds)} (${formatRatio(c.ratio[0])}, ${range(c.ratio)})`)],
        ['', (cells[0] as BodyRow).floor, ...floors.map((f) => us(f.microseconds))],
      ]
    }),
  }
}

function memoryTable(rows: readonly MemoryRow[]) {
  const MiB = (bytes: number) => formatNumber(bytes / 1024 ** 2, 1)
  return {
    header: [
      'slow bodies held',
      'body limit',
      'RSS before MiB',
      'RSS held MiB',
      'RSS after MiB',
      'heap+buffers held MiB (after gc)',
      'RSS per body KiB',
    ],
    rows: rows.map((r) => [
      formatNumber(r.uploads),
      formatSize(r.maxBodyBytes),
      MiB(r.baseline.rss),
      MiB(r.during.rss),
      MiB(r.after.rss),
      `${MiB(r.during.held - r.baseline.held)} (${MiB(r.duringCollected.held - r.baseline.held)})`,
      formatNumber(r.rssPerUpload / 1024, 1),
    ]),
  }
}

function allowlistTable(result: AllowlistResult) {
  const header = [
    'family',
    'outcome',
    'variant',
    ...result.counts.map((c) => `${formatNumber(c)} rules µs`),
    'last × first',
  ]
  const out: string[][] = []
  for (const family of ['IPv4', 'IPv6']) {
    for (const outcome of ['allowed', 'refused']) {
      for (const name of [...new Set(result.rows.map((r) => r.variant))]) {
        const cells = result.counts.map((c) =>
          result.rows.find(
            (r) => r.variant === name && r.comparison === `${family}, ${formatNumber(c)} rules, ${outcome}`,
          ),
        )
        if (cells.some((c) => c === undefined)) continue
        const p50s = (cells as AbRow[]).map((c) => c.p50 / 1000)
        out.push([family, outcome, name, ...p50s.map(us), formatRatio((p50s.at(-1) as number) / (p50s[0] as number))])
      }
    }
  }
  return { header, rows: out }
}

/** The store curve of the committed results, for `--skip-store`, with a note saying when it was measured. */
function committedStoreCurve(notes: string[]): StoreRow[] {
  const committed = JSON.parse(readFileSync(here('./scaling-results.json'), 'utf8')) as {
    date: string
    store: StoreRow[]
  }
  notes.push(
    `dedupe memory store: the curve of ${committed.date.slice(0, 10)} (bench/scaling-results.json), not re-measured in this run`,
  )
  return committed.store
}

async function main(): Promise<void> {
  const started = Date.now()
  const notes: string[] = []
  log(`hookguard scaling bench${smoke ? ' (smoke)' : ''}, Node ${process.version}`)
  log('dedupe memory store…')
  const store = skipStore ? committedStoreCurve(notes) : storeCurve(notes)
  log('secrets under rotation…')
  const rotation = await rotationCurve(keyCounts, timing)
  log('body size…')
  const body = await bodyCurve(bodySizes, timing)
  log('memory with slow bodies…')
  const memory = await memoryCurve(uploadCounts, maxBodyBytes)
  log('allowlist…')
  const allowlist = allowlistCurve(notes)

  const sections: [string, { header: string[]; rows: string[][] }][] = [
    [
      `Dedupe memory store (maxEntries = retained ids, each a done id with a 96 h TTL; bytes = heap + external after gc, id strings included, a child process per size; µs = median of ${storeTiming.samples} samples of ${formatNumber(storeTiming.batch)} claim+complete of new ids into the full store, each evicting the oldest)`,
      storeTable(store),
    ],
    [
      `Secrets under rotation (a 4 KiB body signed with the last key; ${timing.rounds} rounds, order rotated, medians; × 1 key = time with 8 keys over time with 1, same round)`,
      rotationTable(rotation),
    ],
    [
      `Body size (each verifier against its floor, ${timing.rounds} rounds, order rotated, medians; × floor = time over the floor's, same round, with the rounds' range)`,
      bodyTable(body),
    ],
    [
      `Memory: a guard on node:http holding concurrent slow bodies, each declared at the ${formatSize(maxBodyBytes)} limit and sent but its last byte (test/memory-server.ts)`,
      memoryTable(memory),
    ],
  ]
  if (allowlist) {
    sections.push([
      `Allowlist by rule count (${allowlist.source}, ${allowlist.date.slice(0, 10)}: bench/allowlist-scaling.ts; µs per lookup, a new client address each time)`,
      allowlistTable(allowlist),
    ])
  }
  const took = Math.round((Date.now() - started) / 1000)
  const text = sections.flatMap(([title, t]) => ['', title, table(t.header, t.rows)])
  process.stdout.write(
    `${[...text, ...(notes.length > 0 ? ['', 'Notes', ...notes.map((n) => `- ${n}`)] : []), '', `Node ${process.version}. Took ${took} s.`].join('\n')}\n`,
  )
  const report = {
    date: new Date().toISOString(),
    smoke,
    node: process.version,
    options: { storeSizes, storeTiming, timing, keyCounts, bodySizes, maxBodyBytes, uploadCounts },
    store,
    rotation,
    body,
    memory,
    allowlist,
    notes,
  }
  mkdirSync(resultsDir, { recursive: true })
  const name = smoke ? 'scaling-smoke' : 'scaling'
  writeFileSync(`${resultsDir}${name}.json`, `${JSON.stringify(report, null, 2)}\n`)
  const markdown = sections.flatMap(([title, t]) => ['', `${title}:`, '', markdownTable(t.header, t.rows)])
  writeFileSync(`${resultsDir}${name}.md`, `${[...markdown, ...notes.map((n) => `- ${n}`)].join('\n')}\n`)
  if (!smoke) writeFileSync(here('./scaling-results.json'), `${JSON.stringify(report, null, 2)}\n`)
  log(`results written to bench/results/${name}.json${smoke ? '' : ' and bench/scaling-results.json'}`)
}

main().catch((error: unknown) => {
  log(`scaling bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  process.exit(1)
})
