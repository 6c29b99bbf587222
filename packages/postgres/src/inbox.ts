import type { Pool } from 'pg'
import { type InboxAdmin, inboxAdmin } from './admin.js'
import { checkPool, checkTable, optionsObject, positiveInteger, siblingTable } from './options.js'
import { type InboxGuardOptions, inboxGuardOptions } from './receive.js'
import { applySchema, inboxSchema } from './schema.js'
import { type InboxWorker, inboxWorker } from './worker.js'

/** Options for {@link postgresInbox}. */
export interface PostgresInboxOptions {
  /** Your `pg` Pool. Give it an `error` listener: an idle client's lost connection is emitted there. */
  pool: Pool
  /**
   * The table, `name` or `schema.name` (the schema must exist). Default
   * `hookguard_inbox`; the keys table beside it is `<table>_keys`.
   */
  table?: string
  /**
   * The guard's namespace, which `guardOptions` sets: rows are keyed by
   * (namespace, event id), so several guards can share one table, each with
   * an inbox (and namespace) of its own. Default `hookguard`.
   */
  namespace?: string
  /** The longest the dedupe check of a delivery may take, in ms; then the guard answers 503. Default 1 000. */
  timeoutMs?: number
  /** Claims of one event at most; the last failed (or timed-out) attempt makes it dead. Default 10. */
  maxAttempts?: number
  /** The back-off after the first failed attempt, in ms, doubled after each further one. Default 1 000. */
  retryBaseMs?: number
  /** The longest back-off, in ms. Default 3 600 000 (1 h). */
  retryMaxMs?: number
}

/** The inbox: the guard's options, a worker API, and reading, replaying and trimming. */
export interface PostgresInbox extends InboxWorker, InboxAdmin {
  /**
   * Spread into `createGuard`: `namespace`, `dedupe` and `enqueue`. The row
   * `enqueue` writes is the event's dedupe record, so a re-send finds it.
   */
  readonly guardOptions: InboxGuardOptions
  /** The table's name, as given. */
  readonly table: string
  /**
   * Creates the table, its keys table (`<table>_keys`: a delivery's dedupe
   * keys other than its event id's) and their indexes if they are missing.
   * Idempotent; safe to call from every process at start.
   */
  migrate(): Promise<void>
}

/**
 * A Postgres inbox: one table that is both the dedupe record and the queue.
 * The guard's `enqueue` writes the event row with
 * `INSERT … ON CONFLICT DO NOTHING` in one statement, so there is no moment
 * where an event is deduped but not queued, a crash between the two cannot
 * leave a duplicate, and concurrent first deliveries of one id leave one row.
 * A delivery's other dedupe keys (the replay key of a sender that signs no
 * timestamp, as GitHub and Shopify: a captured delivery re-sent under a fresh
 * id) are kept, each for its TTL, in a small keys table beside it.
 * Workers claim rows with `FOR UPDATE SKIP LOCKED` under a lease, then
 * `complete` or `fail` them; failed rows come back after a growing back-off
 * and go dead after `maxAttempts`. `replay` re-enqueues a done or dead event
 * as a new row (without verifying it again), and `purge` deletes old done rows
 * in batches.
 *
 * @example
 * ```ts
 * import { createGuard, standardWebhooks } from '@hookguard/core'
 * import { postgresInbox } from '@hookguard/postgres'
 * import pg from 'pg'
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
 * pool.on('error', (error) => console.error('postgres:', error.message))
 * const inbox = postgresInbox({ pool })
 * await inbox.migrate()
 * const guard = createGuard({
 *   verify: [standardWebhooks({ secret: process.env.WEBHOOK_SECRET! })],
 *   ...inbox.guardOptions,
 * })
 *
 * // A worker, in the same process or another:
 * for (const item of await inbox.claim({ limit: 10 })) {
 *   try {
 *     await handle(item.event)
 *     await inbox.complete(item)
 *   } catch (error) {
 *     await inbox.fail(item, error)
 *   }
 * }
 * ```
 */
export function postgresInbox(options: PostgresInboxOptions): PostgresInbox {
  const name = 'postgresInbox'
  optionsObject(name, options)
  const pool = checkPool(name, options.pool)
  const table = checkTable(name, options.table, 'hookguard_inbox')
  const keys = siblingTable(table, 'keys')
  const namespace = options.namespace ?? 'hookguard'
  if (typeof namespace !== 'string' || namespace === '')
    throw new TypeError(`${name}: namespace must be a non-empty string`)
  const timeoutMs = positiveInteger(name, 'timeoutMs', options.timeoutMs, 1_000)
  const policy = {
    maxAttempts: positiveInteger(name, 'maxAttempts', options.maxAttempts, 10),
    retryBaseMs: positiveInteger(name, 'retryBaseMs', options.retryBaseMs, 1_000),
    retryMaxMs: positiveInteger(name, 'retryMaxMs', options.retryMaxMs, 3_600_000),
  }
  if (policy.retryMaxMs < policy.retryBaseMs) throw new TypeError(`${name}: retryMaxMs must be at least retryBaseMs`)

  return {
    guardOptions: inboxGuardOptions(pool, table, keys, namespace, timeoutMs),
    table: table.label,
    migrate: () => applySchema(pool, table, inboxSchema(table, keys)),
    ...inboxWorker(pool, table, policy),
    ...inboxAdmin(pool, table, keys),
  }
}
