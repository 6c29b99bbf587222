import { describeError } from '../lib/describe-error.js'
import type { Logger, Verdict } from '../types.js'

/**
 * Why an adapter could not write a verdict: an earlier middleware had already
 * answered (`response_started`), the client was gone (`connection_closed`), or
 * the write itself threw (`write_failed`).
 */
export type UnwrittenReason = 'response_started' | 'connection_closed' | 'write_failed'

/** What an adapter tells the guard when the answer it was given did not reach the sender. */
export interface Unwritten {
  reason: UnwrittenReason
  /** The verdict that was not written; absent when the guard's own promise failed. */
  verdict?: Verdict
  /** What the write (or the guard) threw: described in the log, never sent. */
  error?: unknown
}

/**
 * Logs a verdict that was not written: at `warn` when something answered in
 * the guard's place (a setup problem worth knowing: the sender got that answer
 * and will retry; an accepted event was enqueued, so the retry is a duplicate),
 * at `debug` when the client had left. Never throws, not even when the logger does.
 */
export function logUnwritten(logger: Logger | undefined, { reason, verdict, error }: Unwritten): void {
  if (!logger) return
  const record = {
    reason,
    status: verdict?.status ?? null,
    code: verdict?.code ?? null,
    eventId: verdict?.event?.id ?? null,
    ...(error !== undefined && { detail: describeError(error) }),
  }
  try {
    if (reason === 'connection_closed') logger.debug?.(record, 'webhook verdict not written')
    else logger.warn(record, 'webhook verdict not written')
  } catch {
    // The adapter is past answering; a failing logger has nowhere else to go.
  }
}
