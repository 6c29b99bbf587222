import { createHmac, randomUUID } from 'node:crypto'
import { createGuard, dedupeKey, eventText, type Guard, github, standardWebhooks } from '@hookguard/core'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createPool, createSchema, deliver, dropSchema, postgresAvailable } from '../../../test/postgres-helpers.js'
import { freePort, makeSecret } from '../../../test/redis-helpers.js'
import { PostgresError } from './errors.js'
import { type PostgresInbox, postgresInbox } from './inbox.js'

const postgresUp = await postgresAvailable('the Postgres inbox tests')

describe('postgresInbox options', () => {
  const pool = createPool('postgres://postgres@127.0.0.1:1/none')
  afterAll(() => pool.end())

  test('invalid options throw a TypeError naming the option', () => {
    expect(() => postgresInbox(undefined as never)).toThrow(/postgresInbox needs an options object/)
    expect(() => postgresInbox({ pool: {} as never })).toThrow(/postgresInbox: pool must be a pg Pool/)
    for (const table of ['', 'Inbox', 'a.b.c', 'x-y', '1abc', `t${'x'.repeat(48)}`, 5]) {
      expect(() => postgresInbox({ pool, table: table as never })).toThrow(/postgresInbox: table must be/)
    }
    expect(() => postgresInbox({ pool, namespace: '' })).toThrow(/postgresInbox: namespace/)
    for (const name of ['timeoutMs', 'maxAttempts', 'retryBaseMs', 'retryMaxMs'] as const) {
      for (const value of [0, -1, 1.5, Number.NaN, '5']) {
        expect(() => postgresInbox({ pool, [name]: value as never })).toThrow(`postgresInbox: ${name} must be`)
      }
    }
    expect(() => postgresInbox({ pool, retryBaseMs: 10, retryMaxMs: 5 })).toThrow(/retryMaxMs must be at least/)
    expect(postgresInbox({ pool, table: 'app_1.hookguard_inbox' }).table).toBe('app_1.hookguard_inbox')
  })

  test('the row key is the key the guard claims for the event id, so no two (namespace, id) pairs meet', async () => {
    const { dedupe } = postgresInbox({ pool, namespace: 'a:b' }).guardOptions
    // The guard's key of (`a`, `b:c`) is not this inbox's: refused before any query (the pool reaches nothing).
    await expect(dedupe.claim(dedupeKey('a', '', 'b:c'), 1_000)).rejects.toMatchObject({ code: 'namespace_mismatch' })
    expect(dedupeKey('hookguard', '', 'msg_1')).toBe('9:hookguard:0::msg_1')
  })

  test('an unreachable database answers 503 store_unavailable, so the sender retries', async () => {
    const { key, whsec } = makeSecret()
    const port = await freePort()
    const downPool = createPool(`postgres://postgres@127.0.0.1:${port}/test`)
    const inbox = postgresInbox({ pool: downPool })
    const guard = createGuard({ verify: [standardWebhooks({ secret: whsec })], ...inbox.guardOptions })
    const response = await deliver(guard, key, 'msg_down')
    expect(response.status).toBe(503)
    expect(await response.json()).toMatchObject({ code: 'store_unavailable' })
    await downPool.end()
  })
})

describe.skipIf(!postgresUp)('postgres inbox: the receiving side', () => {
  let pool: pg.Pool
  let peerPool: pg.Pool
  let schema: string
  let inbox: PostgresInbox
  let guard: Guard
  const { key, whsec } = makeSecret()

  beforeAll(async () => {
    pool = createPool()
    peerPool = createPool()
    schema = await createSchema(pool, 'inbox')
    inbox = postgresInbox({ pool, table: `${schema}.inbox` })
    await inbox.migrate()
    guard = createGuard({ verify: [standardWebhooks({ secret: whsec })], ...inbox.guardOptions })
  })
  afterAll(async () => {
    await dropSchema(pool, schema)
    await Promise.all([pool.end(), peerPool.end()])
  })

  async function rowsOf(id: string, table = `${schema}.inbox`): Promise<{ dedupe_key: string | null }[]> {
    return (await pool.query(`SELECT dedupe_key FROM ${table} WHERE event_id = $1`, [id])).rows
  }

  test('migrate is idempotent, also when several processes run it at once', async () => {
    const table = `${schema}.migrated`
    const inboxes = [pool, peerPool, pool].map((p) => postgresInbox({ pool: p, table }))
    await Promise.all(inboxes.map((i) => i.migrate()))
    await inboxes[0]!.migrate()
    const indexes = await pool.query('SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = $2', [
      schema,
      'migrated',
    ])
    expect(indexes.rows.map((r) => r.indexname).sort()).toEqual([
      'migrated_dead',
      'migrated_dedupe_key_key',
      'migrated_done',
      'migrated_pending',
      'migrated_pkey',
    ])
  })

  test('a first delivery is 202 and one pending row holds the event; a re-send is 200 duplicate, no second row', async () => {
    const id = `msg_${randomUUID()}`
    // A payload jsonb would refuse (\u0000) and one that is not valid UTF-16 (a lone surrogate): kept as written.
    const body = JSON.stringify({ type: 'invoice.paid', text: 'nul \u0000 lone \ud800 end', n: 1 })
    const first = await deliver(guard, key, id, body)
    expect(first.status).toBe(202)
    const again = await deliver(guard, key, id, body)
    expect(again.status).toBe(200)
    expect(await again.json()).toMatchObject({ code: 'duplicate' })
    expect(await rowsOf(id)).toEqual([{ dedupe_key: dedupeKey('hookguard', '', id) }])

    const [entry] = await inbox.list({ limit: 1 })
    expect(entry).toMatchObject({ eventId: id, type: 'invoice.paid', status: 'pending', attempts: 0, replayOf: null })
    const row = await inbox.show(entry!.seq)
    expect(row!.event.id).toBe(id)
    expect(eventText(row!.event)).toBe(body)
    expect(row!.event.payload).toEqual(JSON.parse(body))
  })

  test('concurrent first deliveries of one id through two receivers: all acknowledged, one row', async () => {
    const id = `msg_${randomUUID()}`
    const peer = createGuard({
      verify: [standardWebhooks({ secret: whsec })],
      ...postgresInbox({ pool: peerPool, table: `${schema}.inbox` }).guardOptions,
    })
    const responses = await Promise.all(Array.from({ length: 16 }, (_, i) => deliver(i % 2 ? peer : guard, key, id)))
    for (const response of responses) expect([200, 202]).toContain(response.status)
    expect(responses.some((response) => response.status === 202)).toBe(true)
    expect(await rowsOf(id)).toHaveLength(1)
  })

  test('a crash after the row was written and before the answer: the retry is a duplicate, not a second row', async () => {
    const id = `msg_${randomUUID()}`
    // The receiver that crashed (another process: an inbox of its own): the event reached enqueue (the INSERT
    // committed) but no answer was sent.
    let crashed = false
    const crashedInbox = postgresInbox({ pool: peerPool, table: `${schema}.inbox` })
    const crashing = createGuard({
      verify: [standardWebhooks({ secret: whsec })],
      ...crashedInbox.guardOptions,
      enqueue: async (event) => {
        await crashedInbox.guardOptions.enqueue(event)
        crashed = true
        throw new Error('process died here')
      },
    })
    expect((await deliver(crashing, key, id)).status).toBe(503)
    expect(crashed).toBe(true)
    const retry = await deliver(guard, key, id)
    expect(retry.status).toBe(200)
    expect(await rowsOf(id)).toHaveLength(1)
  })

  test('GitHub signs no delivery id: a captured delivery re-sent under a fresh X-GitHub-Delivery is 200 duplicate, no second row', async () => {
    const secret = `gh-${randomUUID()}`
    const githubInbox = postgresInbox({ pool, table: `${schema}.inbox`, namespace: 'github' })
    const receiver = createGuard({ verify: [github({ secret })], ...githubInbox.guardOptions })
    const body = JSON.stringify({ action: 'opened', number: 7, nonce: randomUUID() })
    const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
    const send = (delivery: string) =>
      receiver.handle(
        new Request('http://127.0.0.1/hooks', {
          method: 'POST',
          body,
          headers: {
            'content-type': 'application/json',
            'x-github-event': 'issues',
            'x-github-delivery': delivery,
            'x-hub-signature-256': signature,
          },
        }),
      )
    const first = randomUUID()
    expect((await send(first)).status).toBe(202)
    // The same bytes and signature under a delivery id GitHub never sent: the signature's replay key stops it.
    const replayed = await send(randomUUID())
    expect(replayed.status).toBe(200)
    expect(await replayed.json()).toMatchObject({ code: 'duplicate' })
    // GitHub's own redelivery keeps the id: the row stops it.
    expect((await send(first)).status).toBe(200)
    const rows = await pool.query(`SELECT event_id FROM ${schema}.inbox WHERE dedupe_key LIKE $1`, [
      `${dedupeKey('github', '', '')}%`,
    ])
    expect(rows.rows).toEqual([{ event_id: first }])
    // The event's own key lives in its row; only the replay key went to the keys table.
    const keys = await pool.query(`SELECT key FROM ${schema}.inbox_keys WHERE key LIKE $1`, [
      `${dedupeKey('github', '', '')}%`,
    ])
    expect(keys.rows).toHaveLength(1)
    expect(keys.rows[0].key).not.toBe(dedupeKey('github', '', first))
  })

  test("a delivery's other keys are kept for their own TTL, then are new again, and purge deletes them", async () => {
    const keyed = postgresInbox({ pool, table: `${schema}.keyed` })
    await keyed.migrate()
    const { dedupe } = keyed.guardOptions
    const short = dedupeKey('hookguard', '', 'a replay key with a TTL of its own')
    const long = dedupeKey('hookguard', '', 'a replay key with the dedupe TTL')
    expect(await dedupe.claim(short, 1_000)).toMatchObject({ status: 'claimed' })
    await dedupe.complete(short, 'inbox', 60_000)
    await dedupe.complete(long, 'inbox', 3_600_000)
    expect(await dedupe.claim(short, 1_000)).toEqual({ status: 'done' })
    const ttls = await pool.query(
      `SELECT key, expires_at <= now() + interval '61 seconds' AS within_a_minute FROM ${schema}.keyed_keys ORDER BY expires_at`,
    )
    expect(ttls.rows).toEqual([
      { key: short, within_a_minute: true },
      { key: long, within_a_minute: false },
    ])
    // The short TTL runs out (as an hour passing would do it).
    await pool.query(`UPDATE ${schema}.keyed_keys SET expires_at = now() - interval '1 second' WHERE key = $1`, [short])
    expect(await dedupe.claim(short, 1_000)).toMatchObject({ status: 'claimed' })
    expect(await dedupe.claim(long, 1_000)).toEqual({ status: 'done' })
    expect(await keyed.purge()).toBe(1)
    expect((await pool.query(`SELECT key FROM ${schema}.keyed_keys`)).rows).toEqual([{ key: long }])
  })

  test('guards with different namespaces share a table without deduping each other', async () => {
    const id = `msg_${randomUUID()}`
    const other = createGuard({
      verify: [standardWebhooks({ secret: whsec })],
      ...postgresInbox({ pool, table: `${schema}.inbox`, namespace: 'tenant-b' }).guardOptions,
    })
    expect((await deliver(guard, key, id)).status).toBe(202)
    expect((await deliver(other, key, id)).status).toBe(202)
    expect((await deliver(other, key, id)).status).toBe(200)
    expect((await rowsOf(id)).map((r) => r.dedupe_key).sort()).toEqual(
      [dedupeKey('hookguard', '', id), dedupeKey('tenant-b', '', id)].sort(),
    )
  })

  test("a guard whose namespace is not the inbox's answers 503 and says why in the log", async () => {
    const id = `msg_${randomUUID()}`
    const errors: { code?: string; detail?: string }[] = []
    const mismatched = createGuard({
      verify: [standardWebhooks({ secret: whsec })],
      ...inbox.guardOptions,
      namespace: 'something-else',
      logger: { info: () => {}, warn: () => {}, error: (record) => void errors.push(record) },
    })
    const response = await deliver(mismatched, key, id)
    expect(response.status).toBe(503)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ code: 'store_unavailable' })
    expect(errors[0]!.detail).toMatch(/namespace is not the inbox's "hookguard": spread inbox.guardOptions/)
    expect(await rowsOf(id)).toEqual([])
    await expect(inbox.guardOptions.dedupe.claim(`other:${id}`, 1_000)).rejects.toMatchObject({
      name: 'PostgresError',
      code: 'namespace_mismatch',
    })
    await expect(inbox.guardOptions.dedupe.claim(`other:${id}`, 1_000)).rejects.toBeInstanceOf(PostgresError)
  })

  test('a missing table fails the delivery with 503, never a 2xx', async () => {
    const missing = createGuard({
      verify: [standardWebhooks({ secret: whsec })],
      ...postgresInbox({ pool, table: `${schema}.never_migrated` }).guardOptions,
    })
    const response = await deliver(missing, key, `msg_${randomUUID()}`)
    expect(response.status).toBe(503)
  })
})
