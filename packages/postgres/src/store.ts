import { randomUUID } from 'node:crypto'
import type { ClaimResult, DedupeStore } from '@hookguard/core'
import type { Pool } from 'pg'
import { withTimeout } from './errors.js'
import { checkPool, checkTable, optionsObject, positiveInteger } from './options.js'
import { applySchema, storeSchema } from './schema.js'

/** Options for {@link postgresStore}. */
export interface PostgresStoreOptions {
  /** Your `pg` Pool. Give it an `error` listener: an idle client's lost connection is emitted there. */
  pool: Pool
  /** The table, `name` or `schema.name` (the schema must exist). Default `hookguard_dedupe`. */
  table?: string
  /** The longest one store call may take, in ms; then it throws and the guard answers 503. Default 1 000. */
  timeoutMs?: number
}

/** A dedupe store on Postgres, with its table's upkeep. */
export interface PostgresStore extends DedupeStore {
  /** The table's name, as given. */
  readonly table: string
  /** Creates the table if it is missing. Idempotent; safe to call from every process at start. */
  migrate(): Promise<void>
  /** Deletes expired rows (leases and done marks past their time), `batchSize` per statement; resolves to the count. */
  purge(options?: { batchSize?: number }): Promise<number>
}

const done: ClaimResult = Object.freeze({ status: 'done' })
const inFlight: ClaimResult = Object.freeze({ status: 'in_flight' })

/**
 * A dedupe store on Postgres, for receivers that keep their own queue and
 * run no Redis. Every step is one statement on the server's clock: `claim`
 * inserts a lease (or takes over an expired row) with
 * `INSERT … ON CONFLICT DO UPDATE … WHERE expires_at <= now()`; `complete`
 * marks the key done for the TTL and `release` deletes it, each only while the
 * stored token is still the caller's (`complete` also marks a key whose row is
 * gone: the event was enqueued). A claim that loses a race with a concurrent
 * first claim answers `in_flight`.
 *
 * @example
 * ```ts
 * import { createGuard, standardWebhooks } from '@hookguard/core'
 * import { postgresStore } from '@hookguard/postgres'
 * import pg from 'pg'
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
 * pool.on('error', (error) => console.error('postgres:', error.message))
 * const dedupe = postgresStore({ pool })
 * await dedupe.migrate()
 * const guard = createGuard({
 *   verify: [standardWebhooks({ secret: process.env.WEBHOOK_SECRET! })],
 *   dedupe,
 *   enqueue: async (event) => { await myQueue.add(event) },
 * })
 * setInterval(() => void dedupe.purge().catch(() => {}), 3_600_000)
 * ```
 */
export function postgresStore(options: PostgresStoreOptions): PostgresStore {
  const name = 'postgresStore'
  optionsObject(name, options)
  const pool = checkPool(name, options.pool)
  const table = checkTable(name, options.table, 'hookguard_dedupe')
  const timeoutMs = positiveInteger(name, 'timeoutMs', options.timeoutMs, 1_000)

  // The sub-select reads the statement's snapshot: a row a concurrent claim inserted meanwhile reads as
  // null there, so the answer is in_flight, never a second claim.
  const claimSql = `WITH claimed AS (
  INSERT INTO ${table.sql} AS d (key, token, done, expires_at) VALUES ($1, $2, false, now() + $3 * interval '1 millisecond')
  ON CONFLICT (key) DO UPDATE SET token = EXCLUDED.token, done = false, expires_at = EXCLUDED.expires_at
  WHERE d.expires_at <= now()
  RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM claimed) AS claimed,
  (SELECT done FROM ${table.sql} WHERE key = $1 AND expires_at > now()) AS done`
  const completeSql = `INSERT INTO ${table.sql} AS d (key, token, done, expires_at)
VALUES ($1, NULL, true, now() + $3 * interval '1 millisecond')
ON CONFLICT (key) DO UPDATE SET token = NULL, done = true, expires_at = EXCLUDED.expires_at
WHERE d.token = $2`
  const releaseSql = `DELETE FROM ${table.sql} WHERE key = $1 AND token = $2 AND NOT done`
  const purgeSql = `DELETE FROM ${table.sql} WHERE key IN (
  SELECT key FROM ${table.sql} WHERE expires_at <= now() LIMIT $1 FOR UPDATE SKIP LOCKED
)`

  function run<T extends object>(sql: string, values: unknown[], what: string) {
    return withTimeout(pool.query<T & Record<string, unknown>>(sql, values), timeoutMs, what)
  }

  return {
    table: table.label,
    migrate: () => applySchema(pool, table, storeSchema(table)),
    async claim(key: string, leaseMs: number): Promise<ClaimResult> {
      const token = randomUUID()
      const result = await run<{ claimed: boolean; done: boolean | null }>(
        claimSql,
        [key, token, Math.ceil(leaseMs)],
        'claim',
      )
      const row = result.rows[0]
      if (row?.claimed) return { status: 'claimed', token }
      return row?.done === true ? done : inFlight
    },
    async complete(key: string, token: string, ttlMs: number): Promise<void> {
      await run(completeSql, [key, token, Math.ceil(ttlMs)], 'complete')
    },
    async release(key: string, token: string): Promise<void> {
      await run(releaseSql, [key, token], 'release')
    },
    async purge(purgeOptions: { batchSize?: number } = {}): Promise<number> {
      const batchSize = positiveInteger('purge', 'batchSize', purgeOptions.batchSize, 1_000)
      let deleted = 0
      for (;;) {
        const result = await pool.query(purgeSql, [batchSize])
        deleted += result.rowCount ?? 0
        if ((result.rowCount ?? 0) < batchSize) return deleted
      }
    },
  }
}
