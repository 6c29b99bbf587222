/**
 * Where a benchmark server's CPU goes: reads the `.cpuprofile` files that
 * `BENCH_CPU_PROF=<dir> npm run bench` leaves (one per server process) and
 * splits each profile's self time into buckets: hookguard's core by pipeline
 * area (`core/admit`, `core/body`, `core/verify`, `core/dedupe`, `core/event`,
 * …), each adapter, the framework's packages, Node's own modules, the garbage
 * collector and native code. With `--cpu <label>=<µs per request>` (the
 * benchmark row's server CPU) a bucket's share becomes µs per request.
 *
 * ```sh
 * BENCH_CPU_PROF=/tmp/prof BENCH_SKIP_MICRO=1 BENCH_VERIFY_COST=none BENCH_FRAMEWORKS=node \
 *   BENCH_VARIANTS=hmac,hookguard npm run bench
 * node --import tsx bench/profile-steps.ts /tmp/prof --cpu hookguard=52 --cpu hmac=45
 * ```
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string }
  children?: number[]
}

interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

/** The bucket one frame's self time belongs to. */
export function bucketOf(url: string, functionName: string): string {
  const core = /packages\/core\/(?:dist|src)\/(?:cjs\/)?(?:([a-z-]+)\/)?[^/]+$/.exec(url)
  if (core) return `core/${core[1] ?? '(top level)'}`
  const adapter = /packages\/([a-z-]+)\/(?:dist|src)\//.exec(url)
  if (adapter) return `adapter ${adapter[1]}`
  if (/\/bench\//.test(url)) return 'bench app'
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)
  if (pkg) return `package ${pkg[1]}`
  const internal = /^node:(?:internal\/)?([a-z_]+)/.exec(url)
  if (internal) return `node ${internal[1]}`
  if (functionName === '(garbage collector)') return 'garbage collector'
  if (functionName === '(program)') return 'program (V8, not attributed)'
  if (functionName === '(idle)') return 'idle'
  return url === '' ? `native ${functionName}` : `other ${url}`
}

/**
 * Self time in ms per bucket, idle left out, with the profile's total. Counting starts at the first
 * sample in Node's HTTP server, so start-up (loading and compiling modules) is left out too; a profile
 * with no such sample (tsx's loader thread) gives a total of 0.
 */
export function splitProfile(profile: Profile): { total: number; buckets: Map<string, number> } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const buckets = new Map<string, number>()
  let total = 0
  let serving = false
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i] as number)
    if (!node) continue
    const bucket = bucketOf(node.callFrame.url, node.callFrame.functionName)
    serving ||= bucket === 'node _http_server'
    if (bucket === 'idle' || !serving) continue
    const ms = (profile.timeDeltas[i] ?? 0) / 1000
    total += ms
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + ms)
  }
  return { total, buckets }
}

/** A profile's label: `hookguard` when hookguard's core ran in it, else `hmac` or `bare` by what it contains. */
function labelOf(profile: Profile): string {
  const urls = profile.nodes.map((node) => node.callFrame.url)
  if (urls.some((url) => url.includes('packages/core/'))) return 'hookguard'
  return profile.nodes.some((node) => node.callFrame.functionName === 'createHmac') ? 'hmac' : 'bare'
}

function main(): void {
  const args = process.argv.slice(2)
  const dir = args[0]
  if (!dir) throw new Error('usage: profile-steps.ts <dir of .cpuprofile files> [--cpu label=µs] …')
  const cpu = new Map<string, number>()
  for (let i = 1; i < args.length; i++) {
    if (args[i] !== '--cpu') continue
    const [label, value] = (args[++i] ?? '').split('=')
    cpu.set(label as string, Number(value))
  }
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile
    const label = labelOf(profile)
    const { total, buckets } = splitProfile(profile)
    if (total === 0) continue
    const perRequest = cpu.get(label)
    process.stdout.write(`\n${file} (${label}): ${(total / 1000).toFixed(1)} s of CPU sampled\n`)
    const rows = [...buckets].sort((a, b) => b[1] - a[1])
    for (const [bucket, ms] of rows) {
      const share = ms / total
      if (share < 0.005) continue
      const us = perRequest === undefined ? '' : `  ${(share * perRequest).toFixed(1).padStart(6)} µs/req`
      process.stdout.write(`  ${bucket.padEnd(42)} ${(share * 100).toFixed(1).padStart(5)}%${us}\n`)
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main()
