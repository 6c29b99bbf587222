import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { fileURLToPath } from 'node:url'
import autocannon, { type AutocannonRequest } from 'autocannon'
import type { Framework, Variant } from './apps.js'
import { type BenchSecret, eventIdFactory, jsonPayload, median, nowSeconds, signStandard } from './shared.js'

export interface HttpOptions {
  rounds: number
  /** Servers started at once (each compiles its imports with tsx on start). */
  startConcurrency: number
  /** Seconds per app per round; or `amount` requests per measurement (smoke). */
  durationSec?: number
  /**
   * Each round's time per app is cut into this many slices, visited in
   * alternating order (A B C, C B A, …), so the apps a ratio compares are
   * measured close together and a slow spell of the machine falls on both.
   */
  slices?: number
  /**
   * Seconds of untimed load just before each slice. A server that sat idle
   * while the others ran has had its code and heap trimmed by V8 (bytecode
   * flushing, the memory reducer); this measures it warm, as a server under
   * steady traffic is.
   */
  rewarmSec?: number
  amount?: number
  warmupSec: number
  connections: number
  payloadSize: number
}

export interface HttpConfig {
  label: string
  framework: Framework
  variant: Variant
}

export interface HttpRow extends HttpConfig {
  reqPerSec: number
  p50Ms: number
  p99Ms: number
  /** Medians over rounds of the ratio to the same framework's bare / HMAC app in the same round. */
  ratioToBare: number
  ratioToHmac: number
  p99RatioToBare: number
  /** The server's CPU time (user + system) per request, median over rounds, in µs; NaN where /proc is missing. */
  cpuUsPerRequest: number
  /** redis-server's CPU time per request, median over rounds, in µs, for the apps that use Redis; NaN for the others. */
  redisCpuUsPerRequest: number
  /** Medians over rounds of the HMAC app's CPU per request over this app's, the same framework in the same round. */
  cpuRatioToHmac: number
  /** Redis, Postgres and broker handoff rows: the ratio to the same framework's memory-store, in-process-queue pipeline. */
  ratioToMemory?: number
  /** Requests answered with anything but 202, plus errors and timeouts, over all rounds. */
  bad: number
  requests: number
}

export interface HttpResult {
  rows: HttpRow[]
  notes: string[]
  /** What went wrong: a server that would not start, or answers other than 202. */
  failures: string[]
  /** Every round's measurement, by label. */
  samples: Record<string, Measurement[]>
}

export interface Measurement {
  reqPerSec: number
  p50Ms: number
  p99Ms: number
  bad: number
  requests: number
  /** Requests the pre-signed pool did not cover, signed while the load ran. */
  signedOnTheFly: number
  /** The server's CPU time per answered request in µs (NaN where /proc is missing). */
  cpuUsPerRequest: number
  /** For the apps that talk to Redis: redis-server's CPU time per answered request in µs (its `INFO cpu`); NaN for the others. */
  redisCpuUsPerRequest: number
}

interface Running {
  config: HttpConfig
  child: ChildProcess
  port: number
}

const root = fileURLToPath(new URL('..', import.meta.url))
const serverPath = fileURLToPath(new URL('./server.ts', import.meta.url))
const children = new Set<ChildProcess>()
const latencyCapacity = 1_000_000

/** Every spawned server dies with us, whatever happens. */
function killAll(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
}
process.on('exit', killAll)

function startServer(config: HttpConfig): Promise<Running> {
  const child = spawn(
    process.execPath,
    [
      // biome-ignore lint/suspicious/noUndeclaredEnvVars: profiling aid, e.g. BENCH_CPU_PROF=/tmp/prof
      ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
      '--import',
      'tsx',
      serverPath,
      config.framework,
      config.variant,
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, NODE_ENV: 'production' } },
  )
  children.add(child)
  return new Promise((resolve, reject) => {
    let stdout = ''
    let stderr = ''
    const timer = setTimeout(() => fail(new Error('did not start within 60 s')), 60_000)
    const fail = (error: Error) => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(new Error(`${config.label}: ${error.message}${stderr ? `\n${stderr.trim().slice(-600)}` : ''}`))
    }
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      const match = /ready (\d+)/.exec(stdout)
      if (match) {
        clearTimeout(timer)
        resolve({ config, child, port: Number(match[1]) })
      }
    })
    child.once('exit', (code, signal) => fail(new Error(`exited (${signal ?? code}) before it was ready`)))
  })
}

async function stopServer(running: Running): Promise<void> {
  const { child } = running
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000)
  await exited
  clearTimeout(timer)
  children.delete(child)
}

/**
 * A process's CPU time so far (user + system) in seconds, from Linux's
 * `/proc/<pid>/stat` (fields 14 and 15, in clock ticks of 1/100 s, the
 * USER_HZ Linux reports to every process); NaN elsewhere.
 */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN
  try {
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return Number.NaN
  }
}

/** The apps whose requests cost redis-server CPU too. */
const redisVariants: readonly Variant[] = ['hookguard-redis', 'hookguard-bullmq']

/**
 * redis-server's CPU time so far (user + system, every thread) in seconds, from
 * `INFO cpu` at 127.0.0.1:6379; NaN when it does not answer within half a second.
 * Whatever else uses that Redis meanwhile is counted too.
 */
function redisCpuSeconds(): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(6379, '127.0.0.1')
    let reply = ''
    const done = (seconds: number) => {
      socket.destroy()
      resolve(seconds)
    }
    socket.setTimeout(500, () => done(Number.NaN))
    socket.once('error', () => done(Number.NaN))
    socket.once('connect', () => socket.write('INFO cpu\r\n'))
    socket.on('data', (data) => {
      reply += data.toString()
      const user = /used_cpu_user:([\d.]+)/.exec(reply)
      const sys = /used_cpu_sys:([\d.]+)/.exec(reply)
      if (user && sys && reply.includes('used_cpu_user_children')) done(Number(user[1]) + Number(sys[1]))
    })
  })
}

/** Whether something accepts a TCP connection at 127.0.0.1:`port` within half a second (Postgres's port). */
function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.once('error', () => done(false))
    socket.once('connect', () => done(true))
  })
}

/** The rows compared with the plain hookguard app (memory store, in-process queue). */
const inProcessPeers: readonly Variant[] = [
  'hookguard-redis',
  'hookguard-postgres',
  'hookguard-bullmq',
  'hookguard-nats',
  'hookguard-rabbitmq',
]

/** Whether a Redis server answers PING at 127.0.0.1:6379 within half a second. */
export function redisAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(6379, '127.0.0.1')
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.once('error', () => done(false))
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')))
  })
}

/** Whether something accepts a TCP connection at 127.0.0.1:`port` within half a second. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.once('error', () => done(false))
    socket.once('connect', () => done(true))
  })
}

/** The configurations to run, and a note for each one left out. */
export async function httpConfigs(): Promise<{ configs: HttpConfig[]; notes: string[] }> {
  const configs: HttpConfig[] = []
  const notes: string[] = []
  const frameworks: [Framework, string][] = [
    ['node', 'node:http'],
    ['express', 'Express 5'],
    ['koa', 'Koa 3'],
    ['hono', 'Hono (node-server)'],
    ['fastify', 'Fastify 5'],
  ]
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: a developer's filter, e.g. BENCH_FRAMEWORKS=node,express
  const only = process.env.BENCH_FRAMEWORKS?.split(',')
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: a developer's filter, e.g. BENCH_VARIANTS=hmac,hookguard
  const variantsOnly = process.env.BENCH_VARIANTS?.split(',')
  for (const [framework, name] of frameworks) {
    if (only && !only.includes(framework)) continue
    configs.push({ label: `${name} bare`, framework, variant: 'bare' })
    configs.push({ label: `${name} + node:crypto HMAC`, framework, variant: 'hmac' })
    configs.push({
      label: framework === 'node' ? `${name} + hookguard (core process())` : `${name} + hookguard`,
      framework,
      variant: 'hookguard',
    })
    // The cost of parsing every body up front, shown once.
    if (framework === 'node') {
      configs.push({ label: `${name} + hookguard, parseJson: 'eager'`, framework, variant: 'hookguard-eager' })
    }
    configs.push({ label: `${name} + svix verify (peer)`, framework, variant: 'svix' })
  }
  if (!(await redisAnswers())) {
    notes.push('Redis store: skipped (no Redis answering at 127.0.0.1:6379)')
    notes.push('BullMQ handoff: skipped (no Redis answering at 127.0.0.1:6379)')
  } else {
    configs.push({ label: 'Express 5 + hookguard, Redis store', framework: 'express', variant: 'hookguard-redis' })
    configs.push({ label: 'Express 5 + hookguard, BullMQ handoff', framework: 'express', variant: 'hookguard-bullmq' })
  }
  // The durable handoffs (memory dedupe store), against the in-process queue of the plain hookguard app.
  for (const [variant, label, port] of [
    ['hookguard-nats', 'JetStream handoff', 4222],
    ['hookguard-rabbitmq', 'RabbitMQ handoff', 5672],
  ] as const) {
    if (await listening(port)) configs.push({ label: `Express 5 + hookguard, ${label}`, framework: 'express', variant })
    else notes.push(`${label}: skipped (nothing listening at 127.0.0.1:${port})`)
  }
  if (process.env.DATABASE_URL === undefined && !(await portOpen(5432))) {
    notes.push('Postgres inbox: skipped (no Postgres at 127.0.0.1:5432 and no DATABASE_URL)')
  } else {
    configs.push({
      label: 'Express 5 + hookguard, Postgres inbox',
      framework: 'express',
      variant: 'hookguard-postgres',
    })
  }
  return { configs: variantsOnly ? configs.filter((c) => variantsOnly.includes(c.variant)) : configs, notes }
}

/** Signed requests: a pool made before the run, then signed on the fly if the pool runs out. */
function requestSource(secret: BenchSecret, body: string, poolSize: number) {
  const nextId = eventIdFactory()
  const timestamp = nowSeconds()
  const pool: Record<string, string>[] = []
  for (let i = 0; i < poolSize; i++) pool.push(signStandard(secret.key, nextId(), timestamp, body))
  let used = 0
  let onTheFly = 0
  const nextHeaders = (): Record<string, string> => {
    if (used < pool.length) return pool[used++]!
    onTheFly += 1
    return signStandard(secret.key, nextId(), nowSeconds(), body)
  }
  const request: AutocannonRequest = {
    method: 'POST',
    path: '/hooks',
    setupRequest: (req) => ({ ...req, method: 'POST', path: '/hooks', headers: nextHeaders(), body }),
  }
  return { request, signedOnTheFly: () => onTheFly }
}

async function measure(
  running: Running,
  secret: BenchSecret,
  body: string,
  options: { durationSec?: number; amount?: number; connections: number; poolSize: number },
): Promise<Slice> {
  const source = requestSource(secret, body, options.poolSize)
  // autocannon's histogram keeps whole milliseconds; keep the fractional times of the 202s ourselves.
  const latencies = new Float64Array(latencyCapacity)
  let recorded = 0
  const usesRedis = redisVariants.includes(running.config.variant)
  const redisBefore = usesRedis ? await redisCpuSeconds() : Number.NaN
  const cpuBefore = cpuSeconds(running.child.pid)
  const run = autocannon({
    url: `http://127.0.0.1:${running.port}/hooks`,
    connections: options.connections,
    pipelining: 1,
    timeout: 10,
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.durationSec ?? 1 }),
    requests: [source.request],
  })
  run.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode === 202 && recorded < latencyCapacity) latencies[recorded++] = responseTime
  })
  const result = await run
  const cpu = cpuSeconds(running.child.pid) - cpuBefore
  const redisCpu = usesRedis ? (await redisCpuSeconds()) - redisBefore : Number.NaN
  const ok = result.statusCodeStats['202']?.count ?? 0
  let answered = 0
  for (const { count } of Object.values(result.statusCodeStats)) answered += count
  return {
    ok,
    seconds: Math.max(result.duration, 0.001),
    latencies: latencies.slice(0, recorded),
    bad: answered - ok + result.errors + result.timeouts,
    requests: answered,
    cpuSeconds: cpu,
    redisCpuSeconds: redisCpu,
    signedOnTheFly: source.signedOnTheFly(),
  }
}

/** One autocannon run against one server. */
interface Slice {
  /** Requests answered 202. */
  ok: number
  seconds: number
  /** Each 202's latency in ms. */
  latencies: Float64Array
  bad: number
  requests: number
  /** The server's CPU time (user + system) while the slice ran. */
  cpuSeconds: number
  /** redis-server's CPU time meanwhile, for the apps that use Redis (NaN for the others). */
  redisCpuSeconds: number
  signedOnTheFly: number
}

/** A round's slices of one app as one measurement: req/s over their summed time, percentiles over all latencies. */
function combine(slices: readonly Slice[]): Measurement {
  const sum = (pick: (slice: Slice) => number) => slices.reduce((total, slice) => total + pick(slice), 0)
  const count = sum((slice) => slice.latencies.length)
  const sorted = new Float64Array(count)
  let offset = 0
  for (const slice of slices) {
    sorted.set(slice.latencies, offset)
    offset += slice.latencies.length
  }
  sorted.sort()
  const percentile = (p: number) => (count === 0 ? Number.NaN : sorted[Math.min(count - 1, Math.floor(p * count))]!)
  const requests = sum((slice) => slice.requests)
  return {
    reqPerSec: sum((slice) => slice.ok) / sum((slice) => slice.seconds),
    p50Ms: percentile(0.5),
    p99Ms: percentile(0.99),
    bad: sum((slice) => slice.bad),
    requests,
    signedOnTheFly: sum((slice) => slice.signedOnTheFly),
    cpuUsPerRequest: requests === 0 ? Number.NaN : (sum((slice) => slice.cpuSeconds) / requests) * 1e6,
    redisCpuUsPerRequest: requests === 0 ? Number.NaN : (sum((slice) => slice.redisCpuSeconds) / requests) * 1e6,
  }
}

/**
 * Starts every server, warms each up, then runs `rounds` interleaved rounds
 * (A B C … A B C …), each cut into `slices` passes in alternating order, and
 * reports medians; every ratio is taken within a round.
 */
export async function runHttp(
  options: HttpOptions,
  configs: readonly HttpConfig[],
  secret: BenchSecret,
  log: (line: string) => void,
): Promise<HttpResult> {
  const notes: string[] = []
  const failures: string[] = []
  const body = jsonPayload(options.payloadSize)
  const running: Running[] = []
  try {
    const step = Math.max(1, options.startConcurrency)
    for (let i = 0; i < configs.length; i += step) {
      const started = await Promise.allSettled(configs.slice(i, i + step).map(startServer))
      for (const outcome of started) {
        if (outcome.status === 'fulfilled') running.push(outcome.value)
        else failures.push(`${outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason)}`)
      }
    }
    log(`  http: ${running.length} servers started`)
    const rate = new Map<string, number>()
    if (options.warmupSec > 0) {
      for (const server of running) {
        const m = await measure(server, secret, body, {
          durationSec: options.warmupSec,
          connections: options.connections,
          poolSize: 2_000,
        })
        rate.set(server.config.label, m.ok / m.seconds)
      }
      log(`  http warm-up done (${running.length} servers)`)
    }
    const samples = new Map<string, Measurement[]>(running.map((r) => [r.config.label, []]))
    const sliceCount = Math.max(1, options.slices ?? 1)
    const sliceSec = options.durationSec === undefined ? undefined : options.durationSec / sliceCount
    for (let round = 0; round < options.rounds; round++) {
      const slices = new Map<string, Slice[]>(running.map((r) => [r.config.label, []]))
      for (let pass = 0; pass < sliceCount; pass++) {
        for (const server of pass % 2 === 0 ? running : [...running].reverse()) {
          // Enough pre-signed requests for the last rate seen, with room to spare.
          const perSecond = rate.get(server.config.label) ?? 5_000
          const poolFor = (seconds: number) =>
            Math.min((options.amount ?? Math.ceil(perSecond * seconds * 1.3)) + options.connections, 200_000)
          const rewarm = options.rewarmSec
            ? await measure(server, secret, body, {
                durationSec: options.rewarmSec,
                connections: options.connections,
                poolSize: poolFor(options.rewarmSec),
              })
            : undefined
          const slice = await measure(server, secret, body, {
            durationSec: sliceSec,
            amount: options.amount,
            connections: options.connections,
            poolSize: poolFor(sliceSec ?? 1),
          })
          rate.set(server.config.label, slice.ok / slice.seconds)
          // What went wrong while warming counts too.
          slices.get(server.config.label)!.push({ ...slice, bad: slice.bad + (rewarm?.bad ?? 0) })
        }
      }
      for (const [label, list] of slices) samples.get(label)!.push(combine(list))
      log(`  http round ${round + 1}/${options.rounds} done`)
    }
    const rows = summarize(running, samples, options.rounds)
    for (const row of rows) if (row.bad > 0) failures.push(`${row.label}: ${row.bad} answers other than 202`)
    return { rows, notes, failures, samples: Object.fromEntries(samples) }
  } finally {
    await Promise.all(running.map(stopServer))
    killAll()
  }
}

function summarize(running: readonly Running[], samples: Map<string, Measurement[]>, rounds: number): HttpRow[] {
  const find = (framework: Framework, variant: Variant) =>
    running.find((r) => r.config.framework === framework && r.config.variant === variant)?.config.label
  const ratios = (label: string, other: string | undefined, pick: (m: Measurement) => number) => {
    if (other === undefined) return Number.NaN
    const mine = samples.get(label)!
    const theirs = samples.get(other)!
    const perRound: number[] = []
    for (let i = 0; i < rounds; i++) {
      const a = mine[i]
      const b = theirs[i]
      if (a && b) perRound.push(pick(a) / pick(b))
    }
    return median(perRound)
  }
  return running.map(({ config }) => {
    const list = samples.get(config.label)!
    const bare = find(config.framework, 'bare')
    const hmac = find(config.framework, 'hmac')
    const row: HttpRow = {
      ...config,
      reqPerSec: median(list.map((m) => m.reqPerSec)),
      p50Ms: median(list.map((m) => m.p50Ms)),
      p99Ms: median(list.map((m) => m.p99Ms)),
      ratioToBare: ratios(config.label, bare, (m) => m.reqPerSec),
      ratioToHmac: ratios(config.label, hmac, (m) => m.reqPerSec),
      p99RatioToBare: ratios(config.label, bare, (m) => m.p99Ms),
      cpuUsPerRequest: median(list.map((m) => m.cpuUsPerRequest)),
      redisCpuUsPerRequest: median(list.map((m) => m.redisCpuUsPerRequest)),
      // The other way round from the CPU times, so that it reads like the req/s ratio: below 1 costs more.
      cpuRatioToHmac: ratios(config.label, hmac, (m) => 1 / m.cpuUsPerRequest),
      bad: list.reduce((sum, m) => sum + m.bad, 0),
      requests: list.reduce((sum, m) => sum + m.requests, 0),
    }
    if (inProcessPeers.includes(config.variant)) {
      row.ratioToMemory = ratios(config.label, find(config.framework, 'hookguard'), (m) => m.reqPerSec)
    }
    return row
  })
}

/** `a`'s req/s over `b`'s in each round (empty when either did not run). */
export function roundRatios(result: HttpResult, a: string, b: string): number[] {
  const x = result.samples[a]
  const y = result.samples[b]
  if (!x || !y) return []
  const perRound: number[] = []
  for (let i = 0; i < Math.min(x.length, y.length); i++) perRound.push(x[i]!.reqPerSec / y[i]!.reqPerSec)
  return perRound
}

/** The median over rounds of `a`'s req/s over `b`'s, for targets across frameworks (e.g. hookguard vs svix). */
export function crossRatio(result: HttpResult, a: string, b: string): number {
  return median(roundRatios(result, a, b))
}
