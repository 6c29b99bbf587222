import type { WebhookEvent } from '@hookguard/core'

/** Where an inbox row is: waiting or leased to a worker (`pending`), processed (`done`), given up on (`dead`). */
export type InboxStatus = 'pending' | 'done' | 'dead'

/** One inbox row without its event: what `list` shows. */
export interface InboxEntry {
  /** The row's own number (a Postgres `bigint`, as a string): what `show`, `replay` and the CLI take. */
  seq: string
  /** The sender's event id. */
  eventId: string | null
  type: string | null
  status: InboxStatus
  /** How many times a worker has claimed it. */
  attempts: number
  /** When a worker may claim it next: now, after a back-off, or when the current lease ends. */
  runAt: Date
  /** What the last `fail` said, or why the row went dead. */
  lastError: string | null
  /** When the row was written: the delivery's arrival, or the replay. */
  createdAt: Date
  /** When it became `done` or `dead`. */
  completedAt: Date | null
  /** The seq this row replays, for a replay. */
  replayOf: string | null
}

/** One inbox row with its event: what `show` returns. */
export interface InboxRow extends InboxEntry {
  /** The event as the guard handed it to `enqueue` (a `WebhookEvent` after `JSON.stringify` and back). */
  event: WebhookEvent
}

/** A row a worker has claimed: pass it back to `complete` or `fail`. */
export interface ClaimedEvent extends InboxRow {
  /** The lease's token: `complete` and `fail` act only while it still holds the row. */
  token: string
}

/** The columns of an {@link InboxEntry}. */
export const entryColumns =
  'seq, event_id, type, status, attempts, run_at, last_error, created_at, completed_at, replay_of'

/** The columns of an {@link InboxRow}. */
export const rowColumns = `${entryColumns}, event`

/** A row as `pg` returns it (bigint as a string, timestamptz as a Date, json parsed). */
export interface RawRow {
  seq: string
  event_id: string | null
  type: string | null
  status: InboxStatus
  attempts: number
  run_at: Date
  last_error: string | null
  created_at: Date
  completed_at: Date | null
  replay_of: string | null
  event?: WebhookEvent
  lease_token?: string | null
}

export function toEntry(raw: RawRow): InboxEntry {
  return {
    seq: raw.seq,
    eventId: raw.event_id,
    type: raw.type,
    status: raw.status,
    attempts: raw.attempts,
    runAt: raw.run_at,
    lastError: raw.last_error,
    createdAt: raw.created_at,
    completedAt: raw.completed_at,
    replayOf: raw.replay_of,
  }
}

export function toRow(raw: RawRow): InboxRow {
  return { ...toEntry(raw), event: raw.event as WebhookEvent }
}
