import type { Pool } from 'pg'
import type { TableName } from './options.js'

/**
 * The inbox table: one row per accepted event, both its dedupe record
 * (`dedupe_key`, unique) and its place in the queue (`status`, `run_at`).
 * Replays are rows of their own with `dedupe_key` null and `replay_of` set.
 * Beside it, the keys table: the delivery's other dedupe keys (a replay key
 * from the signature, a vouched-for id that is not the event's), each until
 * its `expires_at`.
 */
export function inboxSchema(table: TableName, keys: TableName): string {
  return `CREATE TABLE IF NOT EXISTS ${table.sql} (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  dedupe_key text UNIQUE,
  event_id text,
  type text,
  event json NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  run_at timestamptz NOT NULL DEFAULT now(),
  lease_token text,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  replay_of bigint
);
CREATE INDEX IF NOT EXISTS "${table.base}_pending" ON ${table.sql} (run_at, seq) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS "${table.base}_done" ON ${table.sql} (completed_at) WHERE status = 'done';
CREATE INDEX IF NOT EXISTS "${table.base}_dead" ON ${table.sql} (seq) WHERE status = 'dead';
CREATE TABLE IF NOT EXISTS ${keys.sql} (
  key text PRIMARY KEY,
  expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS "${keys.base}_expires" ON ${keys.sql} (expires_at);`
}

/** The plain dedupe store's table: one row per key, a lease (`token`) or done, until `expires_at`. */
export function storeSchema(table: TableName): string {
  return `CREATE TABLE IF NOT EXISTS ${table.sql} (
  key text PRIMARY KEY,
  token text,
  done boolean NOT NULL DEFAULT false,
  expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS "${table.base}_expires" ON ${table.sql} (expires_at);`
}

/**
 * Applies a schema, idempotently: the statements run as one transaction
 * behind an advisory lock on the table's name, so receivers that start
 * together and all migrate do not trip over each other's `CREATE`.
 */
export async function applySchema(pool: Pool, table: TableName, schema: string): Promise<void> {
  // The label is a checked SQL name (letters, digits, _ and .): safe inside a string literal.
  const lock = `SELECT pg_advisory_xact_lock(hashtext('hookguard:${table.label}'));`
  // One simple-protocol query with several statements runs as one transaction.
  await pool.query(`${lock}\n${schema}`)
}
