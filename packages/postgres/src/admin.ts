import type { Pool } from 'pg'
import { PostgresError } from './errors.js'
import { positiveInteger, type TableName } from './options.js'
import {
  entryColumns,
  type InboxEntry,
  type InboxRow,
  type InboxStatus,
  type RawRow,
  rowColumns,
  toEntry,
  toRow,
} from './rows.js'

/** Which rows `list` shows. */
export interface ListOptions {
  /** Only rows in this state. Default: all. */
  status?: InboxStatus
  /** How many rows at most, newest first. Default 50. */
  limit?: number
}

/** What `purge` deletes. */
export interface PurgeOptions {
  /**
   * Delete `done` rows completed longer ago than this, in ms. A deleted row
   * no longer dedupes: keep rows longer than your senders retry (the guard's
   * own default dedupe TTL is 96 h, the default here too).
   */
  olderThanMs?: number
  /** Rows (and expired keys) deleted per statement, so a large purge never holds many locks at once. Default 1 000. */
  batchSize?: number
}

/** Reading, replaying and trimming the inbox. */
export interface InboxAdmin {
  /**
   * Rows without their events, newest first.
   *
   * @example
   * ```ts
   * const dead = await inbox.list({ status: 'dead', limit: 20 })
   * ```
   */
  list(options?: ListOptions): Promise<InboxEntry[]>
  /**
   * One row with its event, or `null` when there is none with that seq.
   *
   * @example
   * ```ts
   * const row = await inbox.show('42')
   * ```
   */
  show(seq: string): Promise<InboxRow | null>
  /**
   * Enqueues a `done` or `dead` event again, without verifying it again, as a
   * new pending row whose `replayOf` is `seq`; resolves to the new row's seq.
   * The original row stays, and keeps deduping re-sends of its id. Throws
   * `PostgresError` `not_found` or `not_replayable` (the row is still pending).
   *
   * @example
   * ```ts
   * const replay = await inbox.replay('42')
   * ```
   */
  replay(seq: string): Promise<string>
  /**
   * Deletes `done` rows older than `olderThanMs`, and the expired keys of the
   * keys table, `batchSize` of each per statement; resolves to how many rows
   * it deleted, both together. Dead rows stay until you replay or delete them.
   *
   * @example
   * ```ts
   * setInterval(() => void inbox.purge({ olderThanMs: 7 * 24 * 3600 * 1000 }).catch(console.error), 3_600_000)
   * ```
   */
  purge(options?: PurgeOptions): Promise<number>
}

const statuses: readonly string[] = ['pending', 'done', 'dead']
const seqPattern = /^[1-9][0-9]{0,18}$/

/** A row's seq as given by a user (the CLI passes text), or a TypeError. */
function checkSeq(what: string, seq: unknown): string {
  const text = typeof seq === 'number' ? String(seq) : seq
  if (typeof text !== 'string' || !seqPattern.test(text)) throw new TypeError(`${what}: seq must be a row number`)
  return text
}

export function inboxAdmin(pool: Pool, table: TableName, keys: TableName): InboxAdmin {
  const listSql = `SELECT ${entryColumns} FROM ${table.sql}
WHERE $1::text IS NULL OR status = $1 ORDER BY seq DESC LIMIT $2`
  const showSql = `SELECT ${rowColumns} FROM ${table.sql} WHERE seq = $1`
  // A replay is a new row with no dedupe key: the original keeps deduping re-sends of its id.
  const replaySql = `INSERT INTO ${table.sql} (event_id, type, event, replay_of)
SELECT event_id, type, event, seq FROM ${table.sql} WHERE seq = $1 AND status IN ('done', 'dead')
RETURNING seq`
  // One statement per batch for both tables: old done rows, and keys whose TTL ran out.
  const purgeSql = `WITH doomed AS (
  SELECT seq FROM ${table.sql}
  WHERE status = 'done' AND completed_at < now() - $1 * interval '1 millisecond'
  ORDER BY completed_at LIMIT $2
  FOR UPDATE SKIP LOCKED
), events AS (
  DELETE FROM ${table.sql} AS t USING doomed WHERE t.seq = doomed.seq RETURNING 1
), expired AS (
  SELECT key FROM ${keys.sql} WHERE expires_at <= now() LIMIT $2 FOR UPDATE SKIP LOCKED
), keys AS (
  DELETE FROM ${keys.sql} AS k USING expired WHERE k.key = expired.key RETURNING 1
)
SELECT (SELECT count(*) FROM events)::int AS events, (SELECT count(*) FROM keys)::int AS keys`

  return {
    async list(options: ListOptions = {}): Promise<InboxEntry[]> {
      const status = options.status ?? null
      if (status !== null && !statuses.includes(status)) {
        throw new TypeError('list: status must be pending, done or dead')
      }
      const limit = positiveInteger('list', 'limit', options.limit, 50)
      const result = await pool.query<RawRow>(listSql, [status, limit])
      return result.rows.map(toEntry)
    },
    async show(seq: string): Promise<InboxRow | null> {
      const result = await pool.query<RawRow>(showSql, [checkSeq('show', seq)])
      const raw = result.rows[0]
      return raw ? toRow(raw) : null
    },
    async replay(seq: string): Promise<string> {
      const checked = checkSeq('replay', seq)
      const result = await pool.query<{ seq: string }>(replaySql, [checked])
      const replayed = result.rows[0]
      if (replayed) return replayed.seq
      const found = await pool.query(`SELECT 1 FROM ${table.sql} WHERE seq = $1`, [checked])
      if (!found.rowCount) throw new PostgresError('not_found', `${table.label} has no row ${checked}`)
      throw new PostgresError('not_replayable', `row ${checked} of ${table.label} is still pending`)
    },
    async purge(options: PurgeOptions = {}): Promise<number> {
      const olderThanMs = positiveInteger('purge', 'olderThanMs', options.olderThanMs, 96 * 3600 * 1000)
      const batchSize = positiveInteger('purge', 'batchSize', options.batchSize, 1_000)
      let deleted = 0
      for (;;) {
        const result = await pool.query<{ events: number; keys: number }>(purgeSql, [olderThanMs, batchSize])
        const { events = 0, keys = 0 } = result.rows[0] ?? {}
        deleted += events + keys
        if (events < batchSize && keys < batchSize) return deleted
      }
    },
  }
}
