/**
 * `npm run bench`: the verification micro-benchmark, the in-process handler
 * benchmark and the HTTP benchmark, against peers in the same run. Every
 * figure that matters is a ratio taken within one run (interleaved rounds, medians), because absolute numbers on a
 * shared machine are noise. `npm run bench -- --smoke` (or `BENCH_SMOKE=1`)
 * runs everything once, briefly, to prove it still works.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { fileURLToPath } from 'node:url'
import { type HandlerOptions, type HandlerRow, handlerVariants, runHandlers } from './handler.js'
import { crossRatio, type HttpOptions, type HttpResult, httpConfigs, roundRatios, runHttp } from './http.js'
import { type MicroOptions, type MicroResult, runMicro } from './micro.js'
import {
  benchSecret,
  formatNumber,
  formatRatio,
  formatSize,
  markdownTable,
  type TargetResult,
  table,
} from './shared.js'
import { runTenantBench, type TenantBenchOptions, type TenantBenchResult, tenantLines } from './tenants.js'
import {
  caseLabel,
  runVerifyCost,
  speedup,
  type VerifyCostOptions,
  type VerifyCostRow,
  verifyCostTable,
} from './verify-cost.js'

// biome-ignore lint/suspicious/noUndeclaredEnvVars: the benchmark runs outside turbo
const smoke = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1'
const resultsDir = fileURLToPath(new URL('./results/', import.meta.url))

const microOptions: MicroOptions = smoke
  ? { sizes: [256, 4096, 65_536, 1_048_576], rounds: 1, timeMs: 5 }
  : { sizes: [256, 4096, 65_536, 1_048_576], rounds: 7, timeMs: 120 }
const verifyCostOptions: VerifyCostOptions = smoke ? { rounds: 1, timeMs: 5 } : { rounds: 9, timeMs: 150 }
// biome-ignore lint/suspicious/noUndeclaredEnvVars: a developer's filter, e.g. BENCH_VERIFY_COST=HS256,v1a (or 'none')
const verifyCostOnly = process.env.BENCH_VERIFY_COST?.split(',')
const handlerOptions: HandlerOptions = smoke
  ? { rounds: 1, warmupRounds: 0, requests: 50, lanes: 4, payloadSize: 4096 }
  : { rounds: 30, warmupRounds: 3, requests: 2000, lanes: 10, payloadSize: 4096 }
const httpOptions: HttpOptions = smoke
  ? { rounds: 1, amount: 200, warmupSec: 0, connections: 4, payloadSize: 4096, startConcurrency: 4 }
  : {
      // biome-ignore lint/suspicious/noUndeclaredEnvVars: a developer's shortcut for quick comparisons
      rounds: Number(process.env.BENCH_ROUNDS ?? 5),
      durationSec: 4,
      // biome-ignore lint/suspicious/noUndeclaredEnvVars: a developer's knob, to compare with unsliced rounds
      slices: Number(process.env.BENCH_SLICES ?? 2),
      rewarmSec: 0.5,
      warmupSec: 2,
      connections: 10,
      payloadSize: 4096,
      startConcurrency: 2,
    }

function log(line: string): void {
  process.stderr.write(`${line}\n`)
}

function machine() {
  let model = cpus()[0]?.model ?? 'unknown'
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'))
    if (line) model = line.split(':')[1]!.trim()
  } catch {}
  return { cpu: model, cores: cpus().length, node: process.version, platform: `${process.platform} ${process.arch}` }
}

function microTable(result: MicroResult): { header: string[]; rows: string[][] } {
  const header = ['verifier', ...microOptions.sizes.map((s) => `${formatSize(s)} ops/s`), 'ratio to floor']
  const names = [...new Set(result.rows.map((r) => r.name))]
  const rows = names.map((name) => {
    const cells = microOptions.sizes.map((size) => result.rows.find((r) => r.name === name && r.size === size))
    const ratios = cells.map((c) => (c ? formatRatio(c.ratioToFloor) : 'n/a')).join(' / ')
    const note = cells.find((c) => c?.note)?.note
    return [note ? `${name} (${note})` : name, ...cells.map((c) => (c ? formatNumber(c.opsPerSec) : 'n/a')), ratios]
  })
  return { header, rows }
}

function handlerTable(rows: readonly HandlerRow[]): { header: string[]; rows: string[][] } {
  const header = ['handler', 'µs/req', '× HMAC handler', 'µs added over HMAC handler']
  return {
    header,
    rows: rows.map((r) => [
      r.label,
      formatNumber(r.microseconds, 1),
      formatRatio(r.ratioToHmac),
      r.variant === 'hmac' ? 'n/a' : formatNumber(r.addedOverHmac, 1),
    ]),
  }
}

function httpTable(result: HttpResult): { header: string[]; rows: string[][] } {
  const header = [
    'app',
    'req/s',
    'p50 ms',
    'p99 ms',
    '× bare',
    '× HMAC app',
    'p99 × bare',
    'server CPU µs/req',
    'CPU × HMAC app',
    'non-202',
  ]
  const rows = result.rows.map((r) => [
    r.ratioToMemory !== undefined ? `${r.label} (× memory ${formatRatio(r.ratioToMemory)})` : r.label,
    formatNumber(r.reqPerSec),
    formatNumber(r.p50Ms, 2),
    formatNumber(r.p99Ms, 2),
    formatRatio(r.ratioToBare),
    formatRatio(r.ratioToHmac),
    formatRatio(r.p99RatioToBare),
    formatNumber(r.cpuUsPerRequest, 1),
    formatRatio(r.cpuRatioToHmac),
    String(r.bad),
  ])
  return { header, rows }
}

function target(name: string, goal: string, measured: number, pass: boolean, range?: number[]): TargetResult {
  const result: TargetResult = { name, goal, measured, pass: Number.isFinite(measured) && pass }
  if (range && range.length > 1) result.range = [Math.min(...range), Math.max(...range)]
  return result
}

/** A ratio's per-round spread, e.g. `0.84–0.97×`: how far one round can be from the median on this machine. */
function formatRange(range: [number, number] | undefined): string {
  return range ? `${range[0].toFixed(2)}–${range[1].toFixed(2)}×` : ''
}

/**
 * Issue 20's target, and beside it the same resolver against one static
 * verifier per tenant (what a platform builds without resolvers), which keeps
 * the CPU cache's share of 10,000 keys out of the ratio.
 */
function tenantTargets(result: TenantBenchResult): TargetResult[] {
  return [
    target(
      'key resolver verify vs static secret, 10,000 tenants (zipf)',
      '≤ 1.1×',
      result.ratio,
      result.ratio <= 1.1,
      result.ratios,
    ),
    target(
      'key resolver verify vs one static verifier per tenant, 10,000 tenants (zipf)',
      '≤ 1.1×',
      result.perTenantRatio,
      result.perTenantRatio <= 1.1,
      result.perTenantRatios,
    ),
  ]
}

/** The verify-cost targets of issue 24: each verifier against its floor, and against jose. */
function verifyCostTargets(rows: readonly VerifyCostRow[]): TargetResult[] {
  const list: TargetResult[] = []
  const row = (group: string, name: string) => rows.find((r) => r.group === group && r.name === name)
  for (const [alg, goal] of [
    ['HS256', 1.5],
    ['HS384', 1.5],
    ['HS512', 1.5],
    ['RS256', 1.3],
    ['PS256', 1.3],
    ['ES256', 1.3],
    ['EdDSA', 1.3],
  ] as const) {
    const ours = row(alg, caseLabel.ours)
    if (!ours) continue
    list.push(
      target(`jwt ${alg} verify vs floor`, `≤ ${goal}×`, ours.ratioToFloor, ours.ratioToFloor <= goal, ours.rounds),
    )
    const faster = speedup(rows, alg, caseLabel.ours, caseLabel.jose)
    list.push(
      target(
        `jwt ${alg} verify faster than jose jwtVerify (CryptoKey)`,
        '≥ 3×',
        faster.median,
        faster.median >= 3,
        faster.rounds,
      ),
    )
  }
  const v1a = rows.find((r) => r.name === caseLabel.v1a)
  if (v1a) {
    list.push(
      target(
        'Standard Webhooks v1a verify vs node:crypto.verify',
        '≤ 1.2×',
        v1a.ratioToFloor,
        v1a.ratioToFloor <= 1.2,
        v1a.rounds,
      ),
    )
  }
  return list
}

function targets(micro: MicroResult, http: HttpResult): TargetResult[] {
  const list: TargetResult[] = []
  const ratio = (name: string, size: number) =>
    micro.rows.find((r) => r.name === name && r.size === size)?.ratioToFloor ?? Number.NaN
  const ours = 'hookguard standardWebhooks().verify'
  const at4k = ratio(ours, 4096)
  const at256 = ratio(ours, 256)
  list.push(target('Standard Webhooks verify vs floor, 4 KiB', '≤ 1.15×', at4k, at4k <= 1.15))
  list.push(target('Standard Webhooks verify vs floor, 256 B', '≤ 1.3×', at256, at256 <= 1.3))
  const svixSpeedup = ratio('svix Webhook.verify', 4096) / at4k
  list.push(target('Standard Webhooks verify faster than svix, 4 KiB', '≥ 8×', svixSpeedup, svixSpeedup >= 8))

  for (const row of http.rows.filter((r) => r.variant === 'hookguard')) {
    const name = row.label.replace(' + hookguard', '').replace(' (core process())', ' (core)')
    const hmacLabel = http.rows.find((r) => r.variant === 'hmac' && r.framework === row.framework)?.label
    const vsHmacRounds = hmacLabel ? roundRatios(http, row.label, hmacLabel) : []
    list.push(
      target(`${name}: pipeline req/s vs HMAC app`, '≥ 0.9×', row.ratioToHmac, row.ratioToHmac >= 0.9, vsHmacRounds),
    )
    const svixLabel = http.rows.find((r) => r.variant === 'svix' && r.framework === row.framework)?.label
    if (svixLabel) {
      const vsSvix = crossRatio(http, row.label, svixLabel)
      const rounds = roundRatios(http, row.label, svixLabel)
      list.push(target(`${name}: pipeline req/s vs the same app + svix`, '> 1×', vsSvix, vsSvix > 1, rounds))
    }
    list.push(target(`${name}: pipeline p99 vs bare app`, '≤ 2×', row.p99RatioToBare, row.p99RatioToBare <= 2))
  }
  const redis = http.rows.find((r) => r.variant === 'hookguard-redis')
  if (redis?.ratioToMemory !== undefined) {
    const memoryLabel = http.rows.find((r) => r.variant === 'hookguard' && r.framework === redis.framework)?.label
    const rounds = memoryLabel ? roundRatios(http, redis.label, memoryLabel) : []
    list.push(
      target('Redis store req/s vs memory store', '≥ 0.8×', redis.ratioToMemory, redis.ratioToMemory >= 0.8, rounds),
    )
  }
  return list
}

/** For each app that uses Redis: redis-server's CPU per request beside the app's own, since both share the cores. */
function redisCpuNotes(http: HttpResult): string[] {
  return http.rows
    .filter((r) => Number.isFinite(r.redisCpuUsPerRequest))
    .map((r) => {
      const share = r.redisCpuUsPerRequest / (r.redisCpuUsPerRequest + r.cpuUsPerRequest)
      return `${r.label}: redis-server CPU ${formatNumber(r.redisCpuUsPerRequest, 1)} µs/req beside the app's ${formatNumber(r.cpuUsPerRequest, 1)} µs/req (${Math.round(share * 100)}% of the two; medians over rounds)`
    })
}

async function main(): Promise<boolean> {
  const started = Date.now()
  const secret = benchSecret()
  const info = machine()
  log(`hookguard bench${smoke ? ' (smoke)' : ''}: ${info.cpu}, ${info.cores} cores, Node ${info.node}`)

  log('verification micro-benchmark…')
  const micro = await runMicro(
    // biome-ignore lint/suspicious/noUndeclaredEnvVars: a developer's shortcut for quick comparisons
    process.env.BENCH_SKIP_MICRO ? { ...microOptions, rounds: 1, timeMs: 5 } : microOptions,
    secret,
    log,
  )
  log(`  micro took ${Math.round((Date.now() - started) / 1000)} s`)
  log('many-tenants benchmark…')
  const tenantOptions: TenantBenchOptions = smoke
    ? { tenants: 1_000, rounds: 1, timeMs: 20, burst: 20 }
    : { tenants: 10_000, rounds: microOptions.rounds, timeMs: 500, burst: 100 }
  const tenants = await runTenantBench(tenantOptions)
  let verifyCost: VerifyCostRow[] = []
  if (verifyCostOnly?.[0] !== 'none') {
    log('verify cost against the platform crypto…')
    verifyCost = await runVerifyCost(verifyCostOptions, log, verifyCostOnly)
  }
  const { configs, notes: configNotes } = await httpConfigs()
  // The node:http apps the handler benchmark also runs, when the HTTP benchmark's filters keep the HMAC app.
  const handlerApps = configs.filter((c) => c.framework === 'node' && handlerVariants.includes(c.variant))
  let handlers: HandlerRow[] = []
  if (handlerApps.some((c) => c.variant === 'hmac')) {
    log('in-process handler benchmark…')
    handlers = await runHandlers(handlerOptions, handlerApps, secret)
  }
  log('HTTP benchmark…')
  const http = await runHttp(httpOptions, configs, secret, log)
  const goals = [...tenantTargets(tenants), ...verifyCostTargets(verifyCost), ...targets(micro, http)]
  const notes = [
    ...micro.notes,
    ...configNotes,
    ...http.notes,
    ...redisCpuNotes(http),
    ...http.failures.map((f) => `FAILED: ${f}`),
  ]

  const m = microTable(micro)
  const vc = verifyCostTable(verifyCost)
  const verifyCostSetup = `${verifyCostOptions.rounds} rounds; in each, samples of every case taken in turn, order rotated; × floor = a round's median sample over the floor's; rounds = lowest–highest`
  const hd = handlerTable(handlers)
  const h = httpTable(http)
  const t = {
    header: ['target', 'goal', 'measured (median)', 'rounds (min–max)', 'result'],
    rows: goals.map((g) => [g.name, g.goal, formatRatio(g.measured), formatRange(g.range), g.pass ? 'PASS' : 'MISS']),
  }
  const httpSetup = `${httpOptions.connections} connections, ${formatSize(httpOptions.payloadSize)} JSON bodies, ${
    httpOptions.amount !== undefined
      ? `${httpOptions.amount} requests`
      : `${httpOptions.durationSec} s in ${httpOptions.slices ?? 1} alternating slices, each after ${httpOptions.rewarmSec ?? 0} s of untimed load`
  } per app per round, ${httpOptions.rounds} interleaved rounds, medians`
  const handlerSetup = `node:http handlers called in-process on real IncomingMessage and ServerResponse objects, no socket; ${handlerOptions.requests} requests per app per round, ${handlerOptions.lanes} in flight, ${handlerOptions.rounds} interleaved rounds, medians`
  const microSetup = `${microOptions.rounds} rounds, order rotated each round, medians; ratio = time per verify / the floor's time, same round`
  const machineLine = `${info.cpu}, ${info.cores} cores (nproc), Node ${info.node}, ${info.platform}`
  const out = [
    '',
    `Verification (${microSetup})`,
    table(m.header, m.rows),
    '',
    ...tenantLines(tenants, tenantOptions),
    ...(verifyCost.length > 0 ? ['', `Verify cost (${verifyCostSetup})`, table(vc.header, vc.rows)] : []),
    ...(handlers.length > 0 ? ['', `Handlers (${handlerSetup})`, table(hd.header, hd.rows)] : []),
    '',
    `HTTP on 127.0.0.1 (${httpSetup})`,
    table(h.header, h.rows),
    '',
    'Targets (ratios measured in this run)',
    table(t.header, t.rows),
    ...(notes.length > 0 ? ['', 'Notes', ...notes.map((n) => `- ${n}`)] : []),
    '',
    `Machine: ${machineLine}. Took ${Math.round((Date.now() - started) / 1000)} s.`,
  ]
  process.stdout.write(`${out.join('\n')}\n`)

  mkdirSync(resultsDir, { recursive: true })
  const file = smoke ? 'smoke.json' : 'latest.json'
  const report = {
    date: new Date().toISOString(),
    smoke,
    machine: info,
    micro: { options: microOptions, rows: micro.rows },
    tenants: { options: tenantOptions, result: tenants },
    verifyCost: { options: verifyCostOptions, rows: verifyCost },
    handlers: { options: handlerOptions, rows: handlers },
    http: { options: httpOptions, rows: http.rows, samples: http.samples },
    targets: goals,
    notes,
  }
  writeFileSync(`${resultsDir}${file}`, `${JSON.stringify(report, null, 2)}\n`)
  const markdown = [
    `Machine: ${machineLine}; ${new Date().toISOString().slice(0, 10)}.`,
    '',
    `Verification (${microSetup}):`,
    '',
    markdownTable(m.header, m.rows),
    ...(verifyCost.length > 0 ? ['', `Verify cost (${verifyCostSetup}):`, '', markdownTable(vc.header, vc.rows)] : []),
    ...(handlers.length > 0 ? ['', `Handlers (${handlerSetup}):`, '', markdownTable(hd.header, hd.rows)] : []),
    '',
    `HTTP on 127.0.0.1 (${httpSetup}):`,
    '',
    markdownTable(h.header, h.rows),
    '',
    'Targets:',
    '',
    markdownTable(t.header, t.rows),
    ...(notes.length > 0 ? ['', ...notes.map((n) => `- ${n}`)] : []),
  ]
  writeFileSync(`${resultsDir}${smoke ? 'smoke.md' : 'latest.md'}`, `${markdown.join('\n')}\n`)
  log(`results written to bench/results/${file}`)
  // A benchmark is not a test: a missed target is reported, not fatal. A broken benchmark is fatal.
  return http.failures.length === 0
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error: unknown) => {
    log(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    process.exit(1)
  },
)
