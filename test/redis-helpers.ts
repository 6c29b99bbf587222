// Shared by the Redis, multi-process and fault tests: is Redis up, key prefixes and cleanup, signed
// deliveries, a private redis-server, and receiver child processes.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Redis, type RedisOptions } from 'ioredis'
import { signedHeaders as signedHeadersFor } from '../packages/core/test-support/sign.js'

export { makeSecret } from '../packages/core/test-support/sign.js'

export const redisHost = '127.0.0.1'
export const sharedRedisPort = 6379
const root = fileURLToPath(new URL('..', import.meta.url))

/** Client options for a store: fail at once while Redis is down, never replay a command late. */
export const failFast: RedisOptions = { enableOfflineQueue: false, maxRetriesPerRequest: 0 }

/** Whether a Redis server answers PING at `port`; prints why the caller's tests are skipped when not. */
export async function redisAvailable(port = sharedRedisPort, what = 'Redis tests'): Promise<boolean> {
  const client = new Redis({
    host: redisHost,
    port,
    lazyConnect: true,
    connectTimeout: 1_000,
    retryStrategy: () => null,
    ...failFast,
  })
  client.on('error', () => {})
  try {
    await client.connect()
    return (await client.ping()) === 'PONG'
  } catch {
    console.warn(`\n⚠ Redis is not reachable at ${redisHost}:${port}: SKIPPING ${what}.\n`)
    return false
  } finally {
    client.disconnect()
  }
}

/** A key prefix no other run uses. */
export function testPrefix(label: string): string {
  return `hgtest:${label}:${randomUUID().slice(0, 8)}:`
}

/** Deletes every key under `prefix` (SCAN, never FLUSH: the server is shared). */
export async function deleteKeys(client: Redis, prefix: string): Promise<number> {
  let deleted = 0
  for await (const keys of client.scanStream({ match: `${prefix}*`, count: 500 })) {
    if ((keys as string[]).length > 0) deleted += await client.del(...(keys as string[]))
  }
  return deleted
}

/** Headers of a signed Standard Webhooks delivery (the shared test signer, independent of the code under test). */
export function signedHeaders(key: Buffer, id: string, body: string): Record<string, string> {
  return signedHeadersFor(key, { id, body })
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, redisHost)
  await once(server, 'listening')
  const address = server.address()
  server.close()
  if (!address || typeof address === 'string') throw new Error('no port')
  return address.port
}

/** Resolves once `child` exited and its output was read to the end. */
export function closed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => child.once('close', () => resolve()))
}

export async function stopChild(child: ChildProcess, done: Promise<void>, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal)
  await done
}

/** Waits until `child` prints a line matching `pattern`, or fails after `timeoutMs` or on exit. */
export function waitForLine(
  child: ChildProcess,
  pattern: RegExp,
  timeoutMs: number,
  what: string,
): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = ''
    const timer = setTimeout(() => finish(new Error(`${what}: not ready within ${timeoutMs} ms\n${seen}`)), timeoutMs)
    const onData = (chunk: Buffer) => {
      seen += chunk.toString()
      const match = seen.match(pattern)
      if (match) finish(undefined, match)
    }
    const onExit = (code: number | null) => finish(new Error(`${what}: exited with ${code} before ready\n${seen}`))
    function finish(error?: Error, match?: RegExpMatchArray) {
      clearTimeout(timer)
      child.stdout?.off('data', onData)
      child.off('exit', onExit)
      if (error) reject(error)
      else resolve(match!)
    }
    child.stdout?.on('data', onData)
    child.on('exit', onExit)
  })
}

/** A redis-server of the test's own, on a free port, that it may kill and restart. Never the shared one. */
export interface PrivateRedis {
  port: number
  /** Kills the server (SIGKILL): everything in it is lost, as after a crash without persistence. */
  kill(): Promise<void>
  /** Starts it again on the same port. */
  start(): Promise<void>
}

/** Starts a private, non-persistent redis-server. Call `kill` in `afterAll`. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort()
  let child: ChildProcess | undefined
  let done: Promise<void> = Promise.resolve()
  async function start(): Promise<void> {
    const server = spawn(
      'redis-server',
      ['--port', String(port), '--bind', redisHost, '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    child = server
    done = closed(server)
    await waitForLine(server, /Ready to accept connections/, 10_000, `redis-server :${port}`)
    server.stdout?.resume()
  }
  await start()
  return {
    port,
    start,
    async kill() {
      if (child) await stopChild(child, done, 'SIGKILL')
    },
  }
}

/** Settings of one receiver child process (test/redis-receiver.ts). */
export interface ReceiverSettings {
  redisPort: number
  prefix: string
  secret: string
  /** File the receiver's "queue" appends one line per enqueued event to. */
  queueFile: string
  /** Share of enqueue calls that fail (0–1). */
  failRate?: number
  /** Longest random pause inside enqueue, in ms, to widen races. */
  enqueueDelayMs?: number
  leaseMs?: number
  storeTimeoutMs?: number
}

/** A running receiver: its URL, how to stop it, and what it printed. */
export interface Receiver {
  url: string
  output(): string
  stop(): Promise<void>
}

/** Starts test/redis-receiver.ts in a child process and waits until it listens. */
export async function startReceiver(name: string, settings: ReceiverSettings): Promise<Receiver> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'test/redis-receiver.ts'], {
    cwd: root,
    env: {
      ...process.env,
      RECEIVER_NAME: name,
      REDIS_PORT: String(settings.redisPort),
      STORE_PREFIX: settings.prefix,
      WEBHOOK_SECRET: settings.secret,
      QUEUE_FILE: settings.queueFile,
      FAIL_RATE: String(settings.failRate ?? 0),
      ENQUEUE_DELAY_MS: String(settings.enqueueDelayMs ?? 0),
      LEASE_MS: String(settings.leaseMs ?? 30_000),
      STORE_TIMEOUT_MS: String(settings.storeTimeoutMs ?? 1_000),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const done = closed(child)
  let output = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  try {
    const match = await waitForLine(child, /listening on (http:\/\/\S+)/, 20_000, `receiver ${name}`)
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    return {
      url: match[1]!,
      output: () => output,
      async stop() {
        // SIGTERM lets the receiver print its counters; SIGKILL if it does not exit.
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
        await stopChild(child, done, 'SIGTERM')
        clearTimeout(timer)
      },
    }
  } catch (error) {
    await stopChild(child, done, 'SIGKILL')
    throw error
  }
}

/** Sends one signed delivery; a network error is reported as status 0. */
export async function post(url: string, key: Buffer, id: string, body: string): Promise<number> {
  try {
    const response = await fetch(url, { method: 'POST', body, headers: signedHeaders(key, id, body) })
    await response.arrayBuffer()
    return response.status
  } catch {
    return 0
  }
}

/** Reads the receivers' queue files: one `{ id, receiver, at }` per enqueued event. */
export async function readQueue(files: readonly string[]): Promise<{ id: string; receiver: string; at: number }[]> {
  const entries: { id: string; receiver: string; at: number }[] = []
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch(() => '')
    for (const line of text.split('\n')) {
      if (line === '') continue
      const [id, receiver, at] = line.split(' ')
      entries.push({ id: id!, receiver: receiver!, at: Number(at) })
    }
  }
  return entries
}

/**
 * Starts one receiver per name, each with its own queue file in `dir`; if any
 * fails to start, the ones that did are stopped and the failure is thrown.
 */
export async function startReceivers(
  dir: string,
  names: readonly string[],
  settings: Omit<ReceiverSettings, 'queueFile'>,
): Promise<{ receivers: Receiver[]; queueFiles: string[] }> {
  const queueFiles = names.map((name) => join(dir, `queue-${name}.log`))
  const started = await Promise.allSettled(
    names.map((name, i) => startReceiver(name, { ...settings, queueFile: queueFiles[i] as string })),
  )
  const receivers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
  const failed = started.find((result) => result.status === 'rejected')
  if (failed) {
    await Promise.all(receivers.map((receiver) => receiver.stop()))
    throw failed.reason
  }
  return { receivers, queueFiles }
}
