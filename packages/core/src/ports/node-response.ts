import type { Guard } from '../guard.js'
import type { UnwrittenReason } from '../observe/unwritten.js'
import type { Verdict } from '../types.js'

/** A Node.js `ServerResponse`, as far as telling whether it can still be written. */
export interface NodeResponseState {
  readonly headersSent: boolean
  readonly writableEnded: boolean
  readonly destroyed?: boolean
}

/** A Node.js `ServerResponse`, as far as writing a verdict needs it (no `node:` import). */
export interface NodeResponseLike extends NodeResponseState {
  writeHead(status: number, headers: Readonly<Record<string, string>>): unknown
  end(body: string): unknown
}

/**
 * Why a verdict can no longer be written to `res`, or `undefined` when it
 * can: an earlier middleware (a response timeout, say) has answered, or the
 * client is gone.
 *
 * @example
 * ```ts
 * const reason = unwritableReason(ctx.res)
 * if (reason) return guard.reportUnwritten({ verdict, reason })
 * ```
 */
export function unwritableReason(res: NodeResponseState): UnwrittenReason | undefined {
  if (res.headersSent || res.writableEnded) return 'response_started'
  if (res.destroyed === true) return 'connection_closed'
  return undefined
}

/**
 * Writes a verdict to a Node.js `ServerResponse`, unless the response has
 * started or the client is gone; never throws. What could not be written goes
 * to the guard's logger ({@link Guard.reportUnwritten}), so one request can
 * never crash the process with `ERR_HTTP_HEADERS_SENT`.
 *
 * @example
 * ```ts
 * guard.process(fromNodeRequest(req, { rawBodyHint })).then((verdict) => writeVerdict(guard, res, verdict))
 * ```
 */
export function writeVerdict(guard: Pick<Guard, 'reportUnwritten'>, res: NodeResponseLike, verdict: Verdict): void {
  const reason = unwritableReason(res)
  if (reason !== undefined) {
    guard.reportUnwritten({ reason, verdict })
    return
  }
  try {
    res.writeHead(verdict.status, verdict.headers)
    res.end(verdict.body)
  } catch (error) {
    guard.reportUnwritten({ reason: 'write_failed', verdict, error })
  }
}
