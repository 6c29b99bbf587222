import { randomUUID } from 'node:crypto'
import type { Pool } from 'pg'
import { positiveInteger, type TableName } from './options.js'
import { type ClaimedEvent, type RawRow, toRow } from './rows.js'

/** How a worker claims events. */
export interface ClaimOptions {
  /** How many events at most. Default 10. */
  limit?: number
  /**
   * How long the worker has to `complete` or `fail` them, in ms. Then they
   * come back to the next `claim` (a worker that crashed never answers), and
   * count as an attempt. Default 60 000.
   */
  leaseMs?: number
}

/** The worker's retry policy, set on the inbox. */
export interface RetryPolicy {
  maxAttempts: number
  retryBaseMs: number
  retryMaxMs: number
}

/** What `fail` did: the event comes back after `delayMs`, went dead, or the lease was no longer the caller's. */
export type FailResult = { status: 'retry'; delayMs: number } | { status: 'dead' } | { status: 'stale' }

/** The worker's side of the inbox. */
export interface InboxWorker {
  /**
   * Leases up to `limit` pending events whose time has come, oldest first;
   * no other worker gets them until the lease ends. Each claim counts as an attempt.
   *
   * @example
   * ```ts
   * const claimed = await inbox.claim({ limit: 10, leaseMs: 60_000 })
   * ```
   */
  claim(options?: ClaimOptions): Promise<ClaimedEvent[]>
  /**
   * Marks a claimed event done; `false` when the lease no longer held it (it
   * ran out and another worker claimed the event, or it was completed already).
   *
   * @example
   * ```ts
   * await handle(item.event)
   * await inbox.complete(item)
   * ```
   */
  complete(event: ClaimedEvent): Promise<boolean>
  /**
   * Records a failed attempt: the event comes back after the back-off, or
   * goes dead when it has had `maxAttempts`. `reason` is kept (as
   * `name: message`, at most 1 000 characters) in `last_error`: keep secrets out of it.
   *
   * @example
   * ```ts
   * const result = await inbox.fail(item, error)
   * if (result.status === 'dead') alert(`event ${item.eventId} is dead: hookguard inbox show ${item.seq}`)
   * ```
   */
  fail(event: ClaimedEvent, reason: unknown): Promise<FailResult>
}

/** The longest `last_error` kept; a worker's error message is the user's own text, bounded here. */
const maxErrorLength = 1_000

function reasonText(reason: unknown): string {
  const text = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason)
  return text.slice(0, maxErrorLength)
}

/** The back-off before attempt `attempts + 1`: doubling from `retryBaseMs`, at most `retryMaxMs`. */
export function retryDelay(policy: RetryPolicy, attempts: number): number {
  return Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.max(0, attempts - 1))
}

/**
 * Claims with `FOR UPDATE SKIP LOCKED`, so workers never wait on each other
 * and never get the same row; a claimed row stays `pending` with `run_at`
 * moved to the lease's end, so a crashed worker's rows come back by
 * themselves. A row whose lease ran out on its last attempt goes dead instead.
 */
export function inboxWorker(pool: Pool, table: TableName, policy: RetryPolicy): InboxWorker {
  const claimSql = `WITH next AS (
  SELECT seq, attempts FROM ${table.sql}
  WHERE status = 'pending' AND run_at <= now()
  ORDER BY run_at, seq
  LIMIT $1
  FOR UPDATE SKIP LOCKED
), expired AS (
  UPDATE ${table.sql} AS t
  SET status = 'dead', lease_token = NULL, completed_at = now(), last_error = 'the lease ran out on the last attempt'
  FROM next WHERE t.seq = next.seq AND next.attempts >= $3
)
UPDATE ${table.sql} AS t
SET attempts = t.attempts + 1, run_at = now() + $2 * interval '1 millisecond', lease_token = $4
FROM next WHERE t.seq = next.seq AND next.attempts < $3
RETURNING t.*`
  const completeSql = `UPDATE ${table.sql}
SET status = 'done', completed_at = now(), lease_token = NULL
WHERE seq = $1 AND lease_token = $2 AND status = 'pending'`
  const failSql = `UPDATE ${table.sql}
SET status = CASE WHEN attempts >= $3 THEN 'dead' ELSE 'pending' END,
  completed_at = CASE WHEN attempts >= $3 THEN now() END,
  run_at = now() + $4 * interval '1 millisecond', lease_token = NULL, last_error = $5
WHERE seq = $1 AND lease_token = $2 AND status = 'pending'
RETURNING status`

  return {
    async claim(options: ClaimOptions = {}): Promise<ClaimedEvent[]> {
      const limit = positiveInteger('claim', 'limit', options.limit, 10)
      const leaseMs = positiveInteger('claim', 'leaseMs', options.leaseMs, 60_000)
      const token = randomUUID()
      const result = await pool.query<RawRow>(claimSql, [limit, leaseMs, policy.maxAttempts, token])
      // In the order they arrived (RETURNING keeps none).
      return result.rows
        .map((raw) => ({ ...toRow(raw), token }))
        .sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1))
    },
    async complete(event: ClaimedEvent): Promise<boolean> {
      const result = await pool.query(completeSql, [event.seq, event.token])
      return result.rowCount === 1
    },
    async fail(event: ClaimedEvent, reason: unknown): Promise<FailResult> {
      const delayMs = retryDelay(policy, event.attempts)
      const result = await pool.query<{ status: string }>(failSql, [
        event.seq,
        event.token,
        policy.maxAttempts,
        delayMs,
        reasonText(reason),
      ])
      const status = result.rows[0]?.status
      if (status === undefined) return { status: 'stale' }
      return status === 'dead' ? { status: 'dead' } : { status: 'retry', delayMs }
    },
  }
}
