/** Exit codes a script can test. */
export const exitCodes = { ok: 0, failed: 1, usage: 2, network: 3 } as const

/**
 * A mistake in how the CLI was called: printed with a hint, exit code 2.
 *
 * @example
 * ```ts
 * throw new UsageError('missing --secret', 'send')
 * ```
 */
export class UsageError extends Error {
  override name = 'UsageError'
  /** The command whose help the hint points to. */
  readonly command: string | undefined

  constructor(message: string, command?: string) {
    super(message)
    this.command = command
  }
}
