import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createPool, createSchema, dropSchema, postgresAvailable, sampleEvent } from '../../../test/postgres-helpers.js'
import { type PostgresInbox, type PostgresInboxOptions, postgresInbox } from './inbox.js'
import { retryDelay } from './worker.js'

const postgresUp = await postgresAvailable('the Postgres inbox worker tests')
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

test('the back-off doubles from retryBaseMs and stops at retryMaxMs', () => {
  const policy = { maxAttempts: 10, retryBaseMs: 1_000, retryMaxMs: 5_000 }
  expect([1, 2, 3, 4, 5, 9].map((attempts) => retryDelay(policy, attempts))).toEqual([
    1_000, 2_000, 4_000, 5_000, 5_000, 5_000,
  ])
})

describe.skipIf(!postgresUp)('postgres inbox: the worker side', () => {
  let pool: pg.Pool
  let schema: string
  let tables = 0

  beforeAll(async () => {
    pool = createPool()
    schema = await createSchema(pool, 'worker')
  })
  afterAll(async () => {
    await dropSchema(pool, schema)
    await pool.end()
  })

  /** An inbox on a table of the test's own, holding `count` events written through `enqueue`. */
  async function inboxWith(count: number, options: Partial<PostgresInboxOptions> = {}) {
    const inbox = postgresInbox({ pool, table: `${schema}.t${++tables}`, ...options })
    await inbox.migrate()
    const events = Array.from({ length: count }, (_, i) => sampleEvent(`evt_${i}_${randomUUID().slice(0, 8)}`))
    for (const event of events) await inbox.guardOptions.enqueue(event)
    return { inbox, ids: events.map((event) => event.id as string), events }
  }

  async function statusOf(inbox: PostgresInbox, seq: string) {
    return (await inbox.show(seq))!
  }

  test('claim hands out pending events oldest first, leased: a second claim gets none; complete marks them done', async () => {
    const { inbox, ids, events } = await inboxWith(3)
    const claimed = await inbox.claim({ limit: 2 })
    expect(claimed.map((item) => item.eventId)).toEqual(ids.slice(0, 2))
    expect(claimed.map((item) => item.attempts)).toEqual([1, 1])
    expect(claimed.map((item) => item.event)).toEqual(events.slice(0, 2))
    const rest = await inbox.claim({ limit: 5 })
    expect(rest.map((item) => item.eventId)).toEqual([ids[2]])
    expect(await inbox.claim()).toEqual([])

    expect(await inbox.complete(claimed[0]!)).toBe(true)
    expect(await inbox.complete(claimed[0]!)).toBe(false)
    const done = await statusOf(inbox, claimed[0]!.seq)
    expect(done.status).toBe('done')
    expect(done.completedAt).toBeInstanceOf(Date)
    expect((await inbox.list({ status: 'done' })).map((entry) => entry.eventId)).toEqual([ids[0]])
  })

  test('concurrent workers never get the same event', async () => {
    const { inbox, ids } = await inboxWith(40)
    const batches = await Promise.all(ids.map(() => inbox.claim({ limit: 1 })))
    const seen = batches.flat().map((item) => item.eventId)
    expect(seen).toHaveLength(ids.length)
    expect(new Set(seen)).toEqual(new Set(ids))
  })

  test('a worker skips a row another transaction holds instead of waiting for it (SKIP LOCKED)', async () => {
    const { inbox, ids } = await inboxWith(2)
    // Without SKIP LOCKED the claim below would wait for the holder; the lock timeout turns that wait into an error.
    const impatient = createPool(undefined, { options: '-c lock_timeout=5000', max: 1 })
    const holder = await pool.connect()
    try {
      await holder.query('BEGIN')
      await holder.query(`SELECT 1 FROM ${inbox.table} WHERE event_id = $1 FOR UPDATE`, [ids[0]])
      const worker = postgresInbox({ pool: impatient, table: inbox.table })
      expect((await worker.claim({ limit: 2 })).map((item) => item.eventId)).toEqual([ids[1]])
    } finally {
      await holder.query('ROLLBACK')
      holder.release()
      await impatient.end()
    }
    expect((await inbox.claim()).map((item) => item.eventId)).toEqual([ids[0]])
  })

  test("a crashed worker's events come back when the lease ends; its late complete is refused", async () => {
    const { inbox, ids } = await inboxWith(1)
    const [first] = await inbox.claim({ leaseMs: 100 })
    expect(first!.eventId).toBe(ids[0])
    await sleep(300)
    const [second] = await inbox.claim({ leaseMs: 60_000 })
    expect(second!.eventId).toBe(ids[0])
    expect(second!.attempts).toBe(2)
    expect(second!.token).not.toBe(first!.token)
    expect(await inbox.complete(first!)).toBe(false)
    expect(await inbox.fail(first!, new Error('late'))).toEqual({ status: 'stale' })
    expect((await statusOf(inbox, second!.seq)).status).toBe('pending')
    expect(await inbox.complete(second!)).toBe(true)
  })

  test('a failed event waits out its back-off before it is claimed again, and records the error', async () => {
    const { inbox } = await inboxWith(1, { retryBaseMs: 60_000 })
    const [item] = await inbox.claim()
    expect(await inbox.fail(item!, new TypeError('upstream said 500'))).toEqual({ status: 'retry', delayMs: 60_000 })
    expect(await inbox.claim()).toEqual([])
    const row = await statusOf(inbox, item!.seq)
    expect(row).toMatchObject({ status: 'pending', attempts: 1, lastError: 'TypeError: upstream said 500' })
    const wait = await pool.query(
      `SELECT run_at - now() > interval '59 seconds' AS waits FROM ${inbox.table} WHERE seq = $1`,
      [item!.seq],
    )
    expect(wait.rows[0].waits).toBe(true)
  })

  test('each failure grows the back-off; after maxAttempts the event is dead and no longer claimed', async () => {
    const { inbox } = await inboxWith(1, { maxAttempts: 3, retryBaseMs: 20 })
    const results = []
    for (let attempt = 1; attempt <= 3; attempt++) {
      let item = (await inbox.claim())[0]
      for (let wait = 0; item === undefined && wait < 100; wait++) {
        await sleep(20)
        item = (await inbox.claim())[0]
      }
      expect(item!.attempts).toBe(attempt)
      results.push(await inbox.fail(item!, `failure ${attempt}`))
    }
    expect(results).toEqual([{ status: 'retry', delayMs: 20 }, { status: 'retry', delayMs: 40 }, { status: 'dead' }])
    const [dead] = await inbox.list({ status: 'dead' })
    expect(dead).toMatchObject({ status: 'dead', attempts: 3, lastError: 'failure 3' })
    expect(dead!.completedAt).toBeInstanceOf(Date)
    await sleep(100)
    expect(await inbox.claim()).toEqual([])
  })

  test('a lease that runs out on the last attempt makes the event dead instead of handing it out again', async () => {
    const { inbox } = await inboxWith(1, { maxAttempts: 1 })
    const [item] = await inbox.claim({ leaseMs: 50 })
    await sleep(200)
    expect(await inbox.claim()).toEqual([])
    expect(await statusOf(inbox, item!.seq)).toMatchObject({
      status: 'dead',
      attempts: 1,
      lastError: 'the lease ran out on the last attempt',
    })
  })

  test('claim options are checked', async () => {
    const { inbox } = await inboxWith(0)
    await expect(inbox.claim({ limit: 0 })).rejects.toThrow('claim: limit must be a positive integer')
    await expect(inbox.claim({ leaseMs: 1.5 })).rejects.toThrow('claim: leaseMs must be a positive integer')
  })
})
