/**
 * Why an inbox or store call failed without a Postgres error of its own:
 * `timeout` (Postgres did not answer a dedupe check within `timeoutMs`),
 * `namespace_mismatch` (the guard's namespace is not the inbox's),
 * `not_found` (no row with that seq), `not_replayable` (the row is still pending).
 */
export type PostgresErrorCode = 'timeout' | 'namespace_mismatch' | 'not_found' | 'not_replayable'

/**
 * Thrown by the inbox and the store for failures of their own. Errors from
 * `pg` itself (a lost connection, a failed statement) are passed through; the
 * guard turns any throw from the store into `503 store_unavailable` and any
 * throw from `enqueue` into `503 enqueue_failed`, so the sender retries.
 * Messages name the table and the seq, never an event's body.
 *
 * @example
 * ```ts
 * try {
 *   await inbox.replay('42')
 * } catch (error) {
 *   if (error instanceof PostgresError && error.code === 'not_replayable') console.log('still pending')
 * }
 * ```
 */
export class PostgresError extends Error {
  override readonly name = 'PostgresError'
  readonly code: PostgresErrorCode

  constructor(code: PostgresErrorCode, message: string) {
    super(message)
    this.code = code
  }
}

/** Runs `work`, or throws `PostgresError('timeout')` after `timeoutMs` (the query itself may still finish later). */
export async function withTimeout<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(
      () => fail(new PostgresError('timeout', `Postgres did not answer ${what} within ${timeoutMs} ms`)),
      timeoutMs,
    )
  })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}
