import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { type PostgresInbox, postgresInbox } from '@hookguard/postgres'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  createPool,
  createSchema,
  dropSchema,
  postgresAvailable,
  sampleEvent,
  sharedDatabaseUrl,
} from '../../../../test/postgres-helpers.js'
import { freePort } from '../../../../test/redis-helpers.js'
import { inboxCommand } from './inbox-command.js'
import { loadInboxModules } from './inbox-modules.js'
import type { CliIo } from './io.js'

const launcher = fileURLToPath(new URL('../../bin/hookguard.js', import.meta.url))
const postgresUp = await postgresAvailable('the hookguard inbox CLI tests')

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the real binary from these sources, with `DATABASE_URL` as given (unset by default). */
function hookguard(args: string[], databaseUrl = ''): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [launcher, ...args],
      { env: { ...process.env, HOOKGUARD_FROM_SOURCE: '1', DATABASE_URL: databaseUrl }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0
        resolve({ code, stdout, stderr })
      },
    )
  })
}

describe('hookguard inbox without a database or without the packages', { timeout: 60_000 }, () => {
  test('usage mistakes are one line and exit 2; an unreachable database is exit 3', async () => {
    const down = `postgres://postgres@127.0.0.1:${await freePort()}/test`
    const runs = [
      await hookguard(['inbox']),
      await hookguard(['inbox', 'show', 'abc', '--database-url', down]),
      await hookguard(['inbox', 'list']),
      await hookguard(['inbox', 'list', '--database-url', down]),
    ]
    expect(runs.map((run) => run.code)).toEqual([2, 2, 2, 3])
    expect(runs[0]!.stderr).toContain('no subcommand: use list, show, replay, dead')
    expect(runs[1]!.stderr).toContain('seq must be a row number, got "abc"')
    expect(runs[2]!.stderr).toContain('no database: pass --database-url or set DATABASE_URL')
    expect(runs[3]!.stderr).toMatch(/^hookguard inbox: could not reach the database: .*\n$/)
  })

  test('when @hookguard/postgres is not installed: one line saying what to install, exit 2', async () => {
    const err: string[] = []
    const io: CliIo = {
      out: () => {},
      err: (text) => void err.push(text),
      isTTY: false,
      readStdin: async () => new Uint8Array(),
      env: {},
    }
    const code = await inboxCommand(['dead', '--database-url', sharedDatabaseUrl], io, () =>
      loadInboxModules('@hookguard/not-installed-here'),
    )
    expect(code).toBe(2)
    expect(err).toEqual([
      'hookguard inbox: @hookguard/not-installed-here and pg are needed: npm install @hookguard/postgres pg\n',
    ])
  })
})

describe.skipIf(!postgresUp)('hookguard inbox against the real Postgres', { timeout: 60_000 }, () => {
  let pool: pg.Pool
  let schema: string
  let table: string
  let inbox: PostgresInbox
  const seqs: Record<'pending' | 'done' | 'dead', string> = { pending: '', done: '', dead: '' }

  beforeAll(async () => {
    pool = createPool()
    schema = await createSchema(pool, 'cli')
    table = `${schema}.inbox`
    inbox = postgresInbox({ pool, table, maxAttempts: 1 })
    await inbox.migrate()
    for (const id of ['evt_done', 'evt_dead', 'evt_pending']) await inbox.guardOptions.enqueue(sampleEvent(id))
    const [done, dead] = await inbox.claim({ limit: 2 })
    await inbox.complete(done!)
    await inbox.fail(dead!, new Error('upstream 500'))
    const [pending] = await inbox.list({ status: 'pending' })
    Object.assign(seqs, { done: done!.seq, dead: dead!.seq, pending: pending!.seq })
  })
  afterAll(async () => {
    await dropSchema(pool, schema)
    await pool.end()
  })

  test('list and dead print one line per row, newest first; --json and DATABASE_URL work too', async () => {
    const list = await hookguard(['inbox', 'list', '--table', table, '--database-url', sharedDatabaseUrl])
    expect(list.code).toBe(0)
    const lines = list.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^seq\s+status\s+attempts\s+event id\s+type\s+created\s+note$/)
    expect(lines.slice(1).map((line) => line.split(/\s+/).slice(0, 4))).toEqual([
      [seqs.pending, 'pending', '0', 'evt_pending'],
      [seqs.dead, 'dead', '1', 'evt_dead'],
      [seqs.done, 'done', '1', 'evt_done'],
    ])
    expect(lines[2]).toContain('Error: upstream 500')

    const dead = await hookguard(['inbox', 'dead', '--table', table, '--json'], sharedDatabaseUrl)
    expect(dead.code).toBe(0)
    expect(JSON.parse(dead.stdout)).toMatchObject([{ seq: seqs.dead, eventId: 'evt_dead', status: 'dead' }])
  })

  test('show prints the row with its event as JSON; a missing row or table is exit 1', async () => {
    const show = await hookguard(['inbox', 'show', seqs.done, '--table', table], sharedDatabaseUrl)
    expect(show.code).toBe(0)
    expect(JSON.parse(show.stdout)).toMatchObject({
      seq: seqs.done,
      status: 'done',
      event: { id: 'evt_done', payload: { type: 'test.event', id: 'evt_done' } },
    })
    const missing = await hookguard(['inbox', 'show', '99999999', '--table', table], sharedDatabaseUrl)
    expect(missing).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `hookguard inbox show: ${table} has no row 99999999\n`,
    })
    const noTable = await hookguard(['inbox', 'list', '--table', `${schema}.nothing_here`], sharedDatabaseUrl)
    expect(noTable.code).toBe(1)
    expect(noTable.stderr).toBe(
      `hookguard inbox list: relation "${schema}.nothing_here" does not exist (wrong --table, or inbox.migrate() never ran)\n`,
    )
  })

  test('replay enqueues a dead event again as a new row; a pending one is refused with exit 1', async () => {
    const replay = await hookguard(['inbox', 'replay', seqs.dead, '--table', table], sharedDatabaseUrl)
    expect(replay.code).toBe(0)
    const [, replayed, newSeq] = replay.stdout.match(/^replayed (\d+) as (\d+)\n$/) ?? []
    expect(replayed).toBe(seqs.dead)
    expect(await inbox.show(newSeq!)).toMatchObject({ eventId: 'evt_dead', status: 'pending', replayOf: seqs.dead })

    const refused = await hookguard(['inbox', 'replay', seqs.pending, '--table', table], sharedDatabaseUrl)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toBe(`hookguard inbox replay: row ${seqs.pending} of ${table} is still pending\n`)
  })
})
