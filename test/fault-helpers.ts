// Shared by the broker fault tests: receiver processes (test/broker-receiver.ts) that can be stopped or SIGKILLed,
// and private brokers a test may kill and restart: a persistent redis-server, a nats-server with JetStream.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { type LoadResult, runLoad } from './fault-load.js'
import { closed, freePort, redisHost, stopChild, waitForLine } from './redis-helpers.js'

const root = fileURLToPath(new URL('..', import.meta.url))

/** Whether `command --version` runs; prints why `what` is skipped when not. */
export function installed(command: string, what: string): boolean {
  const ok = spawnSync(command, ['--version']).status === 0
  if (!ok) console.warn(`\n⚠ ${command} is not on PATH: SKIPPING ${what}.\n`)
  return ok
}

/** A running receiver: its URL, what it printed, a graceful stop (prints counters) and a SIGKILL. */
export interface BrokerReceiver {
  name: string
  url: string
  output(): string
  stop(): Promise<void>
  kill(): Promise<void>
}

/** Starts test/broker-receiver.ts with `env` (BROKER, STORE_REDIS_PORT, …) and waits until it listens. */
export async function startBrokerReceiver(name: string, env: Record<string, string>): Promise<BrokerReceiver> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'test/broker-receiver.ts'], {
    cwd: root,
    env: { ...process.env, RECEIVER_NAME: name, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const done = closed(child)
  let output = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  try {
    const match = await waitForLine(child, /listening on (http:\/\/\S+)/, 30_000, `receiver ${name}`)
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    return {
      name,
      url: match[1]!,
      output: () => output,
      async stop() {
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
        await stopChild(child, done, 'SIGTERM')
        clearTimeout(timer)
      },
      kill: () => stopChild(child, done, 'SIGKILL'),
    }
  } catch (error) {
    await stopChild(child, done, 'SIGKILL')
    throw error
  }
}

/** The counters a receiver printed when stopped, or `{}` (it was killed). */
export function receiverCounters(receiver: BrokerReceiver): Record<string, number> {
  const line = receiver.output().match(/counters (\{.*\})/)
  return line ? (JSON.parse(line[1]!) as Record<string, number>) : {}
}

/** A broker process of the test's own on a free port, that it may SIGKILL and start again with its data. */
export interface PrivateServer {
  port: number
  /** SIGKILL: no shutdown, as in a crash of the process. */
  kill(): Promise<void>
  start(): Promise<void>
}

/** Starts `command` (its log on stdout) and restarts it on the same port with the same arguments. */
async function privateServer(command: string, args: (port: number) => string[], readyLine: RegExp) {
  const port = await freePort()
  let child: ChildProcess | undefined
  let done: Promise<void> = Promise.resolve()
  async function start(): Promise<void> {
    const server = spawn(command, args(port), { stdio: ['ignore', 'pipe', 'inherit'] })
    child = server
    done = closed(server)
    await waitForLine(server, readyLine, 15_000, `${command} :${port}`)
    server.stdout?.resume()
  }
  await start()
  const handle: PrivateServer = {
    port,
    start,
    async kill() {
      if (child) await stopChild(child, done, 'SIGKILL')
    },
  }
  return handle
}

/** A redis-server that keeps its data across a SIGKILL: AOF, fsync on every write, in `dir`. */
export function startPersistentRedis(dir: string): Promise<PrivateServer> {
  const args = (port: number) => [
    '--port',
    String(port),
    '--bind',
    redisHost,
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'yes',
    '--appendfsync',
    'always',
    '--daemonize',
    'no',
  ]
  return privateServer('redis-server', args, /Ready to accept connections/)
}

/** A nats-server with JetStream storing in `dir` (file storage survives a SIGKILL of the process). */
export function startPrivateNats(dir: string): Promise<PrivateServer> {
  // nats-server logs to stderr: `sh` execs it with stderr on stdout, where the ready line is read (same pid).
  const args = (port: number) => [
    '-c',
    'exec "$0" "$@" 2>&1',
    'nats-server',
    ...['-js', '-a', redisHost, '-p', String(port), '-sd', dir],
  ]
  return privateServer('sh', args, /Server is ready/)
}

/**
 * The load the broker fault tests share: 24 senders, a fifth of the events sent twice, the broker's fault at a
 * quarter and at three quarters of the run, and receiver `a` SIGKILLed and replaced by `a2` half-way. Afterwards
 * every receiver is stopped and moved to `stopped`, where the test reads their counters.
 */
export async function runBrokerFaultLoad(run: {
  key: Buffer
  ids: readonly string[]
  env: Record<string, string>
  receivers: BrokerReceiver[]
  stopped: BrokerReceiver[]
  brokerFault: { label: string; run(): Promise<void> }
}): Promise<LoadResult> {
  const { receivers } = run
  const result = await runLoad({
    key: run.key,
    ids: run.ids,
    resendShare: 0.2,
    concurrency: 24,
    pool: () => receivers,
    deliveryBudgetMs: 30_000,
    runBudgetMs: 90_000,
    disruptions: [
      { at: 0.25, ...run.brokerFault },
      {
        at: 0.5,
        label: 'receiver a SIGKILLed, a2 started',
        async run() {
          const victim = receivers.shift()!
          await victim.kill()
          receivers.push(await startBrokerReceiver('a2', run.env))
        },
      },
      { at: 0.75, ...run.brokerFault },
    ],
  })
  await Promise.all(receivers.map((receiver) => receiver.stop()))
  run.stopped.push(...receivers.splice(0))
  return result
}
