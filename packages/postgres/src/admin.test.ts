import { randomUUID } from 'node:crypto'
import { createGuard, standardWebhooks } from '@hookguard/core'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  createPool,
  createSchema,
  deliver,
  dropSchema,
  postgresAvailable,
  sampleEvent,
} from '../../../test/postgres-helpers.js'
import { makeSecret } from '../../../test/redis-helpers.js'
import { postgresInbox } from './inbox.js'

const postgresUp = await postgresAvailable('the Postgres inbox list/show/replay/purge tests')

describe.skipIf(!postgresUp)('postgres inbox: list, show, replay, purge', () => {
  let pool: pg.Pool
  let schema: string
  let tables = 0

  beforeAll(async () => {
    pool = createPool()
    schema = await createSchema(pool, 'admin')
  })
  afterAll(async () => {
    await dropSchema(pool, schema)
    await pool.end()
  })

  async function freshInbox(options: { maxAttempts?: number } = {}) {
    const inbox = postgresInbox({ pool, table: `${schema}.t${++tables}`, ...options })
    await inbox.migrate()
    return inbox
  }

  /** Writes events and takes each through a worker: `done` completed, `dead` failed on its only attempt. */
  async function fill(states: readonly ('pending' | 'done' | 'dead')[]) {
    const inbox = await freshInbox({ maxAttempts: 1 })
    const ids = states.map((_, i) => `evt_${i}_${randomUUID().slice(0, 8)}`)
    for (const id of ids) await inbox.guardOptions.enqueue(sampleEvent(id))
    const claimed = await inbox.claim({ limit: states.length })
    for (const [i, item] of claimed.entries()) {
      if (states[i] === 'done') await inbox.complete(item)
      if (states[i] === 'dead') await inbox.fail(item, 'permanent')
    }
    // The pending ones go back to waiting, unclaimed.
    await pool.query(
      `UPDATE ${inbox.table} SET run_at = now(), attempts = 0, lease_token = NULL WHERE status = 'pending'`,
    )
    return { inbox, seqs: claimed.map((item) => item.seq), ids }
  }

  test('list shows the newest rows first, by status and up to a limit', async () => {
    const { inbox, ids } = await fill(['pending', 'done', 'dead', 'done'])
    expect((await inbox.list()).map((entry) => entry.eventId)).toEqual([...ids].reverse())
    expect((await inbox.list({ status: 'done' })).map((entry) => entry.eventId)).toEqual([ids[3], ids[1]])
    expect((await inbox.list({ status: 'dead' })).map((entry) => entry.eventId)).toEqual([ids[2]])
    expect((await inbox.list({ limit: 1 })).map((entry) => entry.eventId)).toEqual([ids[3]])
    expect((await inbox.list())[0]).not.toHaveProperty('event')
    await expect(inbox.list({ status: 'lost' as never })).rejects.toThrow('list: status must be pending, done or dead')
    await expect(inbox.list({ limit: 0 })).rejects.toThrow('list: limit must be a positive integer')
  })

  test('show returns the row with its event, or null', async () => {
    const { inbox, seqs, ids } = await fill(['done'])
    const row = await inbox.show(seqs[0]!)
    expect(row).toMatchObject({ seq: seqs[0], eventId: ids[0], status: 'done', attempts: 1 })
    expect(row!.event).toMatchObject({ id: ids[0], payload: { type: 'test.event', id: ids[0] } })
    expect(await inbox.show('999999999')).toBeNull()
    await expect(inbox.show('1; DROP TABLE x')).rejects.toThrow('show: seq must be a row number')
  })

  test('replay re-enqueues a done or dead event as a new pending row that records replay_of', async () => {
    const { inbox, seqs, ids } = await fill(['done', 'dead'])
    for (const [i, seq] of seqs.entries()) {
      const replay = await inbox.replay(seq)
      expect(replay).not.toBe(seq)
      const row = await inbox.show(replay)
      expect(row).toMatchObject({ eventId: ids[i], status: 'pending', attempts: 0, replayOf: seq, lastError: null })
      expect(row!.event).toEqual((await inbox.show(seq))!.event)
    }
    // The originals are untouched, and a worker gets the replays.
    expect((await inbox.show(seqs[0]!))!.status).toBe('done')
    expect((await inbox.show(seqs[1]!))!.status).toBe('dead')
    expect((await inbox.claim()).map((item) => item.replayOf)).toEqual(seqs)
  })

  test('a replayed id still dedupes: the original row keeps its key, so a re-send is 200 duplicate', async () => {
    const { key, whsec } = makeSecret()
    const inbox = await freshInbox()
    const guard = createGuard({ verify: [standardWebhooks({ secret: whsec })], ...inbox.guardOptions })
    const id = `msg_${randomUUID()}`
    expect((await deliver(guard, key, id)).status).toBe(202)
    const [item] = await inbox.claim()
    await inbox.complete(item!)
    await inbox.replay(item!.seq)
    expect((await deliver(guard, key, id)).status).toBe(200)
    expect(await inbox.list()).toHaveLength(2)
  })

  test('replay refuses a pending row and a missing one', async () => {
    const { inbox, seqs } = await fill(['pending'])
    await expect(inbox.replay(seqs[0]!)).rejects.toMatchObject({ name: 'PostgresError', code: 'not_replayable' })
    await expect(inbox.replay('999999999')).rejects.toMatchObject({ name: 'PostgresError', code: 'not_found' })
    await expect(inbox.replay('0')).rejects.toThrow(TypeError)
  })

  test('purge deletes done rows older than olderThanMs, in batches, and nothing else', async () => {
    const states = ['done', 'done', 'done', 'done', 'done', 'done', 'pending', 'dead'] as const
    const { inbox, seqs } = await fill(states)
    // Five done rows completed two hours ago; one done just now.
    await pool.query(`UPDATE ${inbox.table} SET completed_at = now() - interval '2 hours' WHERE seq = ANY($1)`, [
      seqs.slice(0, 5),
    ])
    await pool.query(`UPDATE ${inbox.table} SET completed_at = now() - interval '2 hours' WHERE status = 'dead'`)
    // Counting the statements through a pool that counts them: 2 + 2 + 1.
    let statements = 0
    const counting = {
      connect: () => pool.connect(),
      query: (...args: unknown[]) => {
        statements += 1
        return (pool.query as (...a: unknown[]) => unknown)(...args)
      },
    }
    const purger = postgresInbox({ pool: counting as unknown as pg.Pool, table: inbox.table })
    expect(await purger.purge({ olderThanMs: 3_600_000, batchSize: 2 })).toBe(5)
    expect(statements).toBe(3)
    const left = await inbox.list()
    expect(left.map((entry) => entry.status).sort()).toEqual(['dead', 'done', 'pending'])
    expect(left.find((entry) => entry.status === 'done')!.seq).toBe(seqs[5])
    expect(await inbox.purge({ olderThanMs: 3_600_000 })).toBe(0)
    await expect(inbox.purge({ olderThanMs: 0 })).rejects.toThrow('purge: olderThanMs must be a positive integer')
  })

  test('the default retention keeps done rows for 96 h, the guard’s own dedupe TTL', async () => {
    const { inbox, seqs } = await fill(['done', 'done'])
    await pool.query(`UPDATE ${inbox.table} SET completed_at = now() - interval '95 hours' WHERE seq = $1`, [seqs[0]])
    await pool.query(`UPDATE ${inbox.table} SET completed_at = now() - interval '97 hours' WHERE seq = $1`, [seqs[1]])
    expect(await inbox.purge()).toBe(1)
    expect((await inbox.list()).map((entry) => entry.seq)).toEqual([seqs[0]])
  })
})
