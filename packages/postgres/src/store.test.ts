import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type Socket } from 'node:net'
import { createGuard, standardWebhooks } from '@hookguard/core'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createPool, createSchema, deliver, dropSchema, postgresAvailable } from '../../../test/postgres-helpers.js'
import { makeSecret } from '../../../test/redis-helpers.js'
import { PostgresError } from './errors.js'
import { postgresStore } from './store.js'

const postgresUp = await postgresAvailable('the Postgres store tests')

describe('postgresStore options and a silent server', () => {
  test('invalid options throw a TypeError naming the option', () => {
    const pool = createPool('postgres://postgres@127.0.0.1:1/none')
    expect(() => postgresStore(null as never)).toThrow('postgresStore needs an options object')
    expect(() => postgresStore({ pool: { query() {} } as never })).toThrow('postgresStore: pool must be a pg Pool')
    expect(() => postgresStore({ pool, table: 'Dedupe' })).toThrow('postgresStore: table must be')
    expect(() => postgresStore({ pool, timeoutMs: 0 })).toThrow('postgresStore: timeoutMs must be a positive integer')
    expect(postgresStore({ pool }).table).toBe('hookguard_dedupe')
    return pool.end()
  })

  test('a server that accepts the connection and never answers: each call throws after timeoutMs', async () => {
    const sockets: Socket[] = []
    const silent = createServer((socket) => void sockets.push(socket))
    silent.listen(0, '127.0.0.1')
    await once(silent, 'listening')
    const { port } = silent.address() as { port: number }
    const pool = createPool(`postgres://postgres@127.0.0.1:${port}/test`, { connectionTimeoutMillis: 0 })
    const store = postgresStore({ pool, timeoutMs: 200 })
    try {
      await expect(store.claim('hookguard:slow', 30_000)).rejects.toMatchObject({
        name: 'PostgresError',
        code: 'timeout',
      })
      await expect(store.complete('hookguard:slow', 'token', 1_000)).rejects.toBeInstanceOf(PostgresError)
      await expect(store.release('hookguard:slow', 'token')).rejects.toBeInstanceOf(PostgresError)
    } finally {
      for (const socket of sockets) socket.destroy()
      silent.close()
      await pool.end().catch(() => {})
    }
  })
})

describe.skipIf(!postgresUp)('postgres store on the shared Postgres', () => {
  let pool: pg.Pool
  let schema: string
  const { key, whsec } = makeSecret()

  beforeAll(async () => {
    pool = createPool()
    schema = await createSchema(pool, 'store')
  })
  afterAll(async () => {
    await dropSchema(pool, schema)
    await pool.end()
  })

  test('migrate is idempotent, also when run at once by several', async () => {
    const table = `${schema}.migrated`
    await Promise.all([1, 2, 3].map(() => postgresStore({ pool, table }).migrate()))
    await postgresStore({ pool, table }).migrate()
    const columns = await pool.query(
      'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY 1',
      [schema, 'migrated'],
    )
    expect(columns.rows.map((row) => row.column_name)).toEqual(['done', 'expires_at', 'key', 'token'])
  })

  test('through the guard: 202, then 200 duplicate; a failed enqueue frees the id for the retry', async () => {
    const store = postgresStore({ pool, table: `${schema}.guard` })
    await store.migrate()
    const enqueued: string[] = []
    let failNext = true
    const guard = createGuard({
      verify: [standardWebhooks({ secret: whsec })],
      dedupe: store,
      enqueue: (event) => {
        if (failNext) {
          failNext = false
          throw new Error('queue down')
        }
        enqueued.push(event.id!)
      },
    })
    const id = `msg_${randomUUID()}`
    expect((await deliver(guard, key, id)).status).toBe(503)
    expect((await deliver(guard, key, id)).status).toBe(202)
    expect((await deliver(guard, key, id)).status).toBe(200)
    expect(enqueued).toEqual([id])
    const rows = await pool.query(
      `SELECT done, token, expires_at > now() + interval '95 hours' AS kept FROM ${store.table}`,
    )
    expect(rows.rows).toEqual([{ done: true, token: null, kept: true }])
  })

  test('purge deletes expired leases and done marks, in batches, and keeps live ones', async () => {
    const store = postgresStore({ pool, table: `${schema}.purged` })
    await store.migrate()
    for (let i = 0; i < 5; i++) {
      const claim = await store.claim(`ns:old-${i}`, 60_000)
      if (claim.status === 'claimed' && i % 2 === 0) await store.complete(`ns:old-${i}`, claim.token, 60_000)
    }
    await store.claim('ns:live', 60_000)
    await pool.query(`UPDATE ${store.table} SET expires_at = now() - interval '1 second' WHERE key LIKE 'ns:old-%'`)
    expect(await store.purge({ batchSize: 2 })).toBe(5)
    expect((await pool.query(`SELECT key FROM ${store.table}`)).rows).toEqual([{ key: 'ns:live' }])
    expect(await store.claim('ns:live', 60_000)).toEqual({ status: 'in_flight' })
  })
})
