// Shared by the Postgres tests: is the shared Postgres up, a schema of the test's own, signed deliveries
// through a guard, and a private Postgres (initdb in a temp dir) that a fault test may stop and restart.
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { chown, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { Guard, WebhookEvent } from '@hookguard/core'
import pg from 'pg'
import { freePort, signedHeaders } from './redis-helpers.js'

/** The shared test database (trust auth); `DATABASE_URL` points elsewhere. */
export const sharedDatabaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** A pool with an `error` listener: a connection dropped while idle must not crash the test process. */
export function createPool(connectionString = sharedDatabaseUrl, config: pg.PoolConfig = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString, connectionTimeoutMillis: 2_000, ...config })
  pool.on('error', () => {})
  return pool
}

/** Whether Postgres answers at `url`; prints why the caller's tests are skipped when not. */
export async function postgresAvailable(what: string, url = sharedDatabaseUrl): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 })
  client.on('error', () => {})
  try {
    await client.connect()
    await client.query('SELECT 1')
    return true
  } catch (error) {
    console.warn(`\n⚠ Postgres is not reachable at ${url} (${(error as Error).message}): SKIPPING ${what}.\n`)
    return false
  } finally {
    await client.end().catch(() => {})
  }
}

/** A schema no other test file uses: create it, use `schema.table` names, drop it after. */
export async function createSchema(pool: pg.Pool, label: string): Promise<string> {
  const schema = `hg_${label}_${randomUUID().slice(0, 8)}`
  await pool.query(`CREATE SCHEMA "${schema}"`)
  return schema
}

export async function dropSchema(pool: pg.Pool, schema: string): Promise<void> {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
}

/** Sends one signed Standard Webhooks delivery through `guard.handle`. */
export function deliver(guard: Guard, key: Buffer, id: string, body = JSON.stringify({ type: 'test.event', id })) {
  return guard.handle(
    new Request('http://127.0.0.1/hooks', { method: 'POST', body, headers: signedHeaders(key, id, body) }),
  )
}

/** A plain event as the guard hands it to `enqueue`. */
export function sampleEvent(id: string, type = 'test.event'): WebhookEvent {
  const body = JSON.stringify({ type, id })
  return {
    id,
    type,
    timestamp: null,
    receivedAt: new Date().toISOString(),
    method: 'POST',
    path: '/hooks',
    params: {},
    payload: JSON.parse(body),
    bodyBase64: Buffer.from(body).toString('base64'),
    contentType: 'application/json',
    headers: {},
    sourceIp: '127.0.0.1',
    auth: [{ verifier: 'standard-webhooks' }],
    tenant: null,
  }
}

const execFileAsync = promisify(execFile)

const pgBin = ['/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin'].find(
  (dir) => spawnSync(join(dir, 'initdb'), ['--version']).status === 0,
)
const initdbOnPath = spawnSync('initdb', ['--version']).status === 0
const binDir = pgBin ?? (initdbOnPath ? '' : undefined)
const isRoot = userInfo().uid === 0
const runuserWorks = !isRoot || spawnSync('runuser', ['-u', 'postgres', '--', 'true']).status === 0

/** Why a private Postgres cannot be started here, or `undefined` when it can. */
export const privatePostgresMissing: string | undefined =
  binDir === undefined
    ? 'initdb is not installed (apt-get install postgresql)'
    : !runuserWorks
      ? 'running as root and `runuser -u postgres` does not work (initdb refuses root)'
      : undefined

/** A Postgres server of the test's own, on a free port, that it may stop and start. Never the shared one. */
export interface PrivatePostgres {
  port: number
  url: string
  /** Stops the server at once (`pg_ctl stop -m immediate`: no checkpoint, crash recovery at the next start). */
  kill(): Promise<void>
  /** Starts it again on the same port, with the same data. */
  start(): Promise<void>
  /** Stops it and deletes its data directory. */
  destroy(): Promise<void>
}

/** Runs a Postgres tool (as the postgres user when root) without blocking the event loop: a sender may be running. */
async function run(command: string, args: string[], what: string): Promise<void> {
  const [file, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args]
  try {
    await execFileAsync(file, argv, { timeout: 60_000 })
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string }
    throw new Error(`${what} failed: ${stderr || stdout || (error as Error).message}`)
  }
}

/** initdb into a temp dir (as the postgres user when root), then starts the server on a free port. */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  if (privatePostgresMissing) throw new Error(privatePostgresMissing)
  const tool = (name: string) => (binDir ? join(binDir, name) : name)
  const dir = await mkdtemp(join(tmpdir(), 'hookguard-pg-'))
  if (isRoot) {
    const owner = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' })
    const group = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' })
    await chown(dir, Number(owner.stdout), Number(group.stdout))
  }
  const data = join(dir, 'data')
  const port = await freePort()
  await run(tool('initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync'], 'initdb')
  // fsync off: a killed server still recovers every commit from the WAL in the OS cache (only an OS crash
  // would lose them), and the test does not wear the disk.
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`
  const start = () =>
    run(tool('pg_ctl'), ['-D', data, '-o', serverOptions, '-l', join(dir, 'log'), '-w', 'start'], 'pg_ctl start')
  const kill = () => run(tool('pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], 'pg_ctl stop')
  await start()
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    kill,
    async destroy() {
      await kill().catch(() => {})
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** A running receiver process (test/postgres-receiver.ts): its URL, what it printed, how to end it. */
export interface InboxReceiver {
  url: string
  output(): string
  /** SIGTERM (it prints its counters), SIGKILL if it does not exit within 5 s. */
  stop(): Promise<void>
  /** SIGKILL at once: a crash, with requests in flight. */
  kill(): Promise<void>
}

const root = fileURLToPath(new URL('..', import.meta.url))

/** Starts test/postgres-receiver.ts and waits until it listens. */
export async function startInboxReceiver(
  name: string,
  settings: { databaseUrl: string; table: string; secret: string },
): Promise<InboxReceiver> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', 'test/postgres-receiver.ts'],
    {
      cwd: root,
      env: {
        ...process.env,
        RECEIVER_NAME: name,
        DATABASE_URL: settings.databaseUrl,
        INBOX_TABLE: settings.table,
        WEBHOOK_SECRET: settings.secret,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()))
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    await closed
  }
  const deadline = Date.now() + 20_000
  while (!/listening on (http:\/\/\S+)/.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await end('SIGKILL')
      throw new Error(`receiver ${name} did not start:\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return {
    url: output.match(/listening on (http:\/\/\S+)/)![1]!,
    output: () => output,
    kill: () => end('SIGKILL'),
    async stop() {
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await end('SIGTERM')
      clearTimeout(timer)
    },
  }
}
