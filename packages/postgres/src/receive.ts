import { type ClaimResult, type DedupeStore, dedupeKey, type WebhookEvent } from '@hookguard/core'
import type { Pool } from 'pg'
import { PostgresError, withTimeout } from './errors.js'
import type { TableName } from './options.js'

/** What the guard needs from the inbox: its namespace, a dedupe store, and `enqueue`. */
export interface InboxGuardOptions {
  /** The guard's `namespace`: a row's `dedupe_key` is the key the guard claims for its event id, `dedupeKey(namespace, event.tenant ?? '', id)`. */
  namespace: string
  dedupe: DedupeStore
  enqueue: (event: WebhookEvent) => Promise<void>
}

const claimed: ClaimResult = Object.freeze({ status: 'claimed', token: 'inbox' })
const done: ClaimResult = Object.freeze({ status: 'done' })

/**
 * The guard's side of the inbox. `enqueue` writes the event row with
 * `INSERT … ON CONFLICT (dedupe_key) DO NOTHING`: one statement, so the row is
 * at once the dedupe record of the event id and the queued event, and two
 * first deliveries that race both reach the INSERT and leave one row.
 *
 * A delivery may claim other keys beside its event id's (a replay key from a
 * signature with no timestamp, as GitHub's; a vouched-for id that is not the
 * event's). The store's `claim` answers `done` when the key is an event row's
 * or is in the keys table and not expired, and `claimed` otherwise, writing
 * nothing. Once the row is written, `complete` puts every key that is not an
 * event row's into the keys table for its TTL; the event's own key needs
 * nothing more. `release` has nothing to undo.
 */
export function inboxGuardOptions(
  pool: Pool,
  table: TableName,
  keys: TableName,
  namespace: string,
  timeoutMs: number,
): InboxGuardOptions {
  const seen = `SELECT EXISTS (SELECT 1 FROM ${table.sql} WHERE dedupe_key = $1)
  OR EXISTS (SELECT 1 FROM ${keys.sql} WHERE key = $1 AND expires_at > now()) AS done`
  const remember = `INSERT INTO ${keys.sql} (key, expires_at)
SELECT $1::text, now() + $2 * interval '1 millisecond'
WHERE NOT EXISTS (SELECT 1 FROM ${table.sql} WHERE dedupe_key = $1::text)
ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at`
  const insert = `INSERT INTO ${table.sql} (dedupe_key, event_id, type, event) VALUES ($1, $2, $3, $4)
ON CONFLICT (dedupe_key) DO NOTHING`
  // Every key the guard claims starts with this, whatever its tenant (see dedupeKey in @hookguard/core); another one
  // is another guard's.
  const prefix = `${namespace.length}:${namespace}:`

  return {
    namespace,
    dedupe: {
      async claim(key: string): Promise<ClaimResult> {
        if (!key.startsWith(prefix)) {
          throw new PostgresError(
            'namespace_mismatch',
            `postgresInbox: the guard's namespace is not the inbox's "${namespace}": spread inbox.guardOptions into createGuard`,
          )
        }
        const result = await withTimeout(pool.query<{ done: boolean }>(seen, [key]), timeoutMs, 'the dedupe check')
        return result.rows[0]?.done ? done : claimed
      },
      async complete(key: string, _token: string, ttlMs: number): Promise<void> {
        await withTimeout(pool.query(remember, [key, Math.ceil(ttlMs)]), timeoutMs, 'remembering a dedupe key')
      },
      release() {},
    },
    async enqueue(event: WebhookEvent): Promise<void> {
      const key = event.id === null ? null : dedupeKey(namespace, event.tenant ?? '', event.id)
      await pool.query(insert, [key, event.id, event.type, JSON.stringify(event)])
    },
  }
}
