import { type ClaimResult, type DedupeStore, dedupeKey, type WebhookEvent } from '@hookguard/core'
import type { Pool } from 'pg'
import { PostgresError, withTimeout } from './errors.js'
import type { TableName } from './options.js'

/** What the guard needs from the inbox: its namespace, a dedupe store, and `enqueue`. */
export interface InboxGuardOptions {
  /** The guard's `namespace`: a row's `dedupe_key` is the key the guard claims for its event id, `dedupeKey(namespace, '', id)`. */
  namespace: string
  dedupe: DedupeStore
  enqueue: (event: WebhookEvent) => Promise<void>
}

const claimed: ClaimResult = Object.freeze({ status: 'claimed', token: 'inbox' })
const done: ClaimResult = Object.freeze({ status: 'done' })

/**
 * The guard's side of the inbox. `enqueue` writes the event row with
 * `INSERT … ON CONFLICT (dedupe_key) DO NOTHING`: one statement, so the row is
 * at once the dedupe record and the queued event, and two first deliveries
 * that race both reach the INSERT and leave one row. The store's `claim`
 * answers `done` when the row exists (a re-send: 200 duplicate, not enqueued
 * again) and `claimed` otherwise, writing nothing; `complete` and `release`
 * have nothing to do.
 */
export function inboxGuardOptions(
  pool: Pool,
  table: TableName,
  namespace: string,
  timeoutMs: number,
): InboxGuardOptions {
  const exists = `SELECT 1 FROM ${table.sql} WHERE dedupe_key = $1`
  const insert = `INSERT INTO ${table.sql} (dedupe_key, event_id, type, event) VALUES ($1, $2, $3, $4)
ON CONFLICT (dedupe_key) DO NOTHING`
  // Every key the guard claims starts with this (see dedupeKey in @hookguard/core); another one is another guard's.
  const prefix = dedupeKey(namespace, '', '')

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
        const result = await withTimeout(pool.query(exists, [key]), timeoutMs, 'the dedupe check')
        return result.rowCount ? done : claimed
      },
      complete() {},
      release() {},
    },
    async enqueue(event: WebhookEvent): Promise<void> {
      const key = event.id === null ? null : dedupeKey(namespace, '', event.id)
      await pool.query(insert, [key, event.id, event.type, JSON.stringify(event)])
    },
  }
}
