/**
 * Many tenants on one endpoint: the per-request cost of Standard Webhooks
 * verification with a key resolver (10 000 tenants, each its own secret, the
 * cache warm, a zipf-like mix of tenants) beside the same verifier with one
 * static secret, in the same run; beside it too, what a platform builds
 * without resolvers: one verifier per tenant, each with its static secret,
 * picked by tenant from a `Map`. And a cold-tenant burst (N concurrent
 * requests for one tenant the cache has not seen: one lookup).
 *
 * The first ratio holds the CPU cache's share: 10,000 tenants' keys and
 * entries do not stay in it as one static key does, so a request for a tenant
 * of the long tail waits on memory whatever looks its key up. The second
 * ratio takes that share out and leaves what the resolver and its cache cost.
 *
 * `node --import tsx bench/tenants.ts` runs it alone; `npm run bench` runs it
 * after the verification micro-benchmark.
 */
import { randomBytes } from 'node:crypto'
import { keyResolver, standardWebhooks, type Verifier, type VerifyContext } from '@hookguard/core'
import { Bench } from 'tinybench'
import { jsonPayload, median, nowSeconds, signStandard } from './shared.js'

export interface TenantBenchOptions {
  tenants: number
  rounds: number
  /** tinybench time budget per task per round, ms. */
  timeMs: number
  /** Concurrent requests in the cold-tenant burst. */
  burst: number
}

export interface TenantBenchResult {
  staticMicroseconds: number
  resolvedMicroseconds: number
  perTenantMicroseconds: number
  /** Median over rounds of resolved / static, same round. */
  ratio: number
  ratios: number[]
  /** Median over rounds of resolved / one static verifier per tenant, same round. */
  perTenantRatio: number
  perTenantRatios: number[]
  burst: { requests: number; lookups: number; accepted: number }
}

/** A zipf-like pick (s ≈ 1) of `n` tenants: tenant k is chosen with weight 1 / (k + 1). */
function zipfPicks(n: number, count: number): number[] {
  const weights = Array.from({ length: n }, (_, k) => 1 / (k + 1))
  const total = weights.reduce((a, b) => a + b, 0)
  const cumulative: number[] = []
  let sum = 0
  for (const w of weights) {
    sum += w / total
    cumulative.push(sum)
  }
  const picks: number[] = []
  for (let i = 0; i < count; i++) {
    const r = Math.random()
    let lo = 0
    let hi = n - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((cumulative[mid] as number) < r) lo = mid + 1
      else hi = mid
    }
    picks.push(lo)
  }
  return picks
}

function context(headers: Record<string, string>, body: Uint8Array, tenant?: string): VerifyContext {
  return { method: 'POST', headers, body, params: {}, tls: undefined, nowMs: Date.now(), toleranceSeconds: 300, tenant }
}

/** Calls `verify` on the prepared requests in turn, synchronously where it answers synchronously. */
function cycle(verifier: Verifier, requests: readonly VerifyContext[]): () => unknown {
  let i = 0
  return () => {
    const result = verifier.verify(requests[i] as VerifyContext)
    i = (i + 1) % requests.length
    return result
  }
}

export async function runTenantBench(options: TenantBenchOptions): Promise<TenantBenchResult> {
  const body = new Uint8Array(Buffer.from(jsonPayload(1024)))
  const timestamp = nowSeconds()
  const names = Array.from({ length: options.tenants }, (_, k) => `tenant-${k}`)
  const keys = names.map(() => randomBytes(24))
  const secrets = new Map(names.map((name, k) => [name, `whsec_${(keys[k] as Buffer).toString('base64')}`]))
  const staticKey = randomBytes(24)

  const picks = zipfPicks(options.tenants, 4096)
  const resolvedRequests = picks.map((k, i) =>
    context(signStandard(keys[k] as Buffer, `msg_${i}`, timestamp, body), body, names[k]),
  )
  const staticRequests = picks.map((_, i) => context(signStandard(staticKey, `msg_${i}`, timestamp, body), body))

  const withStatic = standardWebhooks({ secret: `whsec_${staticKey.toString('base64')}` })
  const withResolver = standardWebhooks({
    secret: keyResolver(({ tenant }) => secrets.get(tenant as string) ?? null, {
      maxTenants: options.tenants,
      ttlMs: 3_600_000,
    }),
  })
  const perTenant = new Map(names.map((name) => [name, standardWebhooks({ secret: secrets.get(name) as string })]))
  const picked: Verifier = {
    name: 'per-tenant',
    verify: (ctx) => (perTenant.get(ctx.tenant as string) as Verifier).verify(ctx),
  }
  // Warm: every tenant looked up once, and both verifiers accept what they are given.
  for (const name of names) {
    const k = names.indexOf(name)
    await withResolver.verify(context(signStandard(keys[k] as Buffer, 'msg_warm', timestamp, body), body, name))
  }
  await withStatic.verify(staticRequests[0] as VerifyContext)

  const staticTimes: number[] = []
  const resolvedTimes: number[] = []
  const perTenantTimes: number[] = []
  const ratios: number[] = []
  const perTenantRatios: number[] = []
  for (let round = 0; round < options.rounds; round++) {
    const bench = new Bench({ time: options.timeMs, warmupTime: Math.min(100, options.timeMs) })
    const tasks: [string, () => unknown][] = [
      ['static', cycle(withStatic, staticRequests)],
      ['resolved', cycle(withResolver, resolvedRequests)],
      ['per-tenant', cycle(picked, resolvedRequests)],
    ]
    // Rotated each round, so no task always runs first.
    for (let k = 0; k < round % tasks.length; k++) tasks.push(tasks.shift() as [string, () => unknown])
    for (const [name, fn] of tasks) bench.add(name, fn)
    await bench.run()
    const timeOf = (name: string) => {
      const latency = (bench.getTask(name)?.result as { latency?: { p50?: number; mean?: number } } | undefined)
        ?.latency
      return (latency?.p50 ?? latency?.mean ?? Number.NaN) * 1000
    }
    const s = timeOf('static')
    const r = timeOf('resolved')
    const p = timeOf('per-tenant')
    staticTimes.push(s)
    resolvedTimes.push(r)
    perTenantTimes.push(p)
    ratios.push(r / s)
    perTenantRatios.push(r / p)
  }

  // The cold burst: N requests at once for a tenant not yet cached, against a lookup that takes 20 ms.
  let lookups = 0
  const cold = standardWebhooks({
    secret: async ({ tenant }) => {
      lookups += 1
      await new Promise((resolve) => setTimeout(resolve, 20))
      return secrets.get(tenant as string) ?? null
    },
  })
  const coldKey = keys[options.tenants - 1] as Buffer
  const coldName = names[options.tenants - 1] as string
  const outcomes = await Promise.allSettled(
    Array.from({ length: options.burst }, (_, i) =>
      cold.verify(context(signStandard(coldKey, `msg_cold_${i}`, timestamp, body), body, coldName)),
    ),
  )
  return {
    staticMicroseconds: median(staticTimes),
    resolvedMicroseconds: median(resolvedTimes),
    perTenantMicroseconds: median(perTenantTimes),
    ratio: median(ratios),
    ratios,
    perTenantRatio: median(perTenantRatios),
    perTenantRatios,
    burst: { requests: options.burst, lookups, accepted: outcomes.filter((o) => o.status === 'fulfilled').length },
  }
}

/** The lines `npm run bench` prints for this case. */
export function tenantLines(result: TenantBenchResult, options: TenantBenchOptions): string[] {
  const us = (n: number) => `${n.toFixed(2)} µs`
  return [
    `Many tenants (${options.tenants} tenants, warm cache, zipf-like mix, 1 KiB bodies, ${options.rounds} rounds, medians)`,
    `- standardWebhooks, static secret: ${us(result.staticMicroseconds)} per verify`,
    `- standardWebhooks, key resolver:  ${us(result.resolvedMicroseconds)} per verify`,
    `- standardWebhooks, one static verifier per tenant, picked from a Map: ${us(result.perTenantMicroseconds)} per verify`,
    `- ratio resolver / static (same round): ${result.ratio.toFixed(3)}× (rounds ${Math.min(...result.ratios).toFixed(3)}–${Math.max(...result.ratios).toFixed(3)}; target ≤ 1.1×: ${result.ratio <= 1.1 ? 'PASS' : 'MISS'})`,
    `- ratio resolver / one static verifier per tenant (same round): ${result.perTenantRatio.toFixed(3)}× (rounds ${Math.min(...result.perTenantRatios).toFixed(3)}–${Math.max(...result.perTenantRatios).toFixed(3)})`,
    `- cold-tenant burst: ${result.burst.requests} concurrent requests, ${result.burst.lookups} lookup(s), ${result.burst.accepted} accepted`,
  ]
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const options: TenantBenchOptions = {
    // biome-ignore lint/suspicious/noUndeclaredEnvVars: the bench's own knobs, as in run.ts
    tenants: Number(process.env.BENCH_TENANTS ?? 10_000),
    // biome-ignore lint/suspicious/noUndeclaredEnvVars: the bench's own knobs, as in run.ts
    rounds: Number(process.env.BENCH_ROUNDS ?? 5),
    // biome-ignore lint/suspicious/noUndeclaredEnvVars: the bench's own knobs, as in run.ts
    timeMs: Number(process.env.BENCH_TIME_MS ?? 500),
    burst: 100,
  }
  const result = await runTenantBench(options)
  process.stdout.write(`${tenantLines(result, options).join('\n')}\n`)
}
