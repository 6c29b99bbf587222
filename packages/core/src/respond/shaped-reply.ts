import { describeError } from '../lib/describe-error.js'
import { isThenable } from '../lib/maybe-promise.js'
import type { Logger, Verdict, WebhookEvent } from '../types.js'

/**
 * The 2xx a sender expects after a successful handoff, as `respond` returns
 * it: each part given replaces the guard's (202, `application/json`,
 * `{"status":202,"code":"accepted"}`).
 */
export interface ShapedReply {
  /** A 2xx status. Default 202. */
  status?: number
  /** More headers, e.g. `content-type: text/xml`. Not `content-length`, `transfer-encoding` or `connection`. */
  headers?: Readonly<Record<string, string>>
  /** The body; with no `content-type` header it is sent as `text/plain; charset=utf-8`. */
  body?: string
}

/** The `respond` option: shapes the 2xx once `enqueue` resolved. */
export type Respond = (event: WebhookEvent) => ShapedReply | undefined | PromiseLike<ShapedReply | undefined>

/** Headers the guard frames the response with; a reply may not set them. */
const framingHeaders = new Set(['content-length', 'transfer-encoding', 'connection'])
const tokenPattern = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const valuePattern = /^[\t\x20-\x7e\x80-\xff]*$/

/**
 * The accepted verdict shaped by `respond`, or the verdict itself when
 * `respond` returned nothing, threw, took longer than `timeoutMs` or returned
 * something that is not a {@link ShapedReply} (then logged at `warn`, without
 * the reply's content). Never throws.
 */
export function shapeAccepted(
  verdict: Verdict,
  respond: Respond,
  timeoutMs: number,
  logger: Logger | undefined,
): Verdict | Promise<Verdict> {
  const fallBack = (why: string): Verdict => {
    logger?.warn({ code: 'respond_failed', detail: why }, 'respond failed; the normal answer was sent')
    return verdict
  }
  let pending: unknown
  try {
    pending = respond(verdict.event as WebhookEvent)
  } catch (error) {
    return fallBack(`respond threw: ${describeError(error)}`)
  }
  if (!isThenable(pending)) return shape(verdict, pending, fallBack)
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<Verdict>((resolve) => {
    timer = setTimeout(() => resolve(fallBack(`respond took longer than ${timeoutMs} ms`)), timeoutMs)
  })
  const shaped = Promise.resolve(pending).then(
    (reply) => shape(verdict, reply, fallBack),
    (error: unknown) => fallBack(`respond rejected: ${describeError(error)}`),
  )
  return Promise.race([shaped, timeout]).finally(() => clearTimeout(timer))
}

/** The verdict with the reply's parts, or the fallback's answer for a reply that is not one. */
function shape(verdict: Verdict, reply: unknown, fallBack: (why: string) => Verdict): Verdict {
  if (reply === undefined) return verdict
  const problem = replyProblem(reply)
  if (problem !== undefined) return fallBack(`respond returned ${problem}`)
  const { status, headers, body } = reply as ShapedReply
  const shaped: Record<string, string> = { ...verdict.headers }
  if (body !== undefined) shaped['content-type'] = 'text/plain; charset=utf-8'
  for (const [name, value] of Object.entries(headers ?? {})) shaped[name.toLowerCase()] = value
  const finalStatus = status ?? verdict.status
  // 204 and 205 carry no content: the accepted JSON is not sent with them.
  const text = finalStatus === 204 || finalStatus === 205 ? '' : (body ?? verdict.body)
  shaped['content-length'] = String(new TextEncoder().encode(text).byteLength)
  if (finalStatus === 204) {
    // A 204 has no content and may not say how long it is (RFC 9110 §8.6).
    delete shaped['content-length']
    delete shaped['content-type']
  }
  return { ...verdict, status: finalStatus, headers: shaped, body: text }
}

/** What is wrong with a reply, in words that hold none of its content; `undefined` when it is a ShapedReply. */
export function replyProblem(reply: unknown): string | undefined {
  if (typeof reply !== 'object' || reply === null || Array.isArray(reply)) return 'something other than an object'
  const { status, headers, body } = reply as Record<string, unknown>
  if (status !== undefined && !(Number.isInteger(status) && (status as number) >= 200 && (status as number) <= 299)) {
    return 'a status outside 200-299'
  }
  if (body !== undefined && typeof body !== 'string') return 'a body that is not a string'
  if ((status === 204 || status === 205) && body !== undefined && body !== '') return `a body with status ${status}`
  if (headers === undefined) return undefined
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) return 'headers that are not an object'
  for (const [name, value] of Object.entries(headers)) {
    if (!tokenPattern.test(name)) return 'a header name that is not an HTTP token'
    if (framingHeaders.has(name.toLowerCase())) return `a ${name.toLowerCase()} header (the guard frames the answer)`
    if (typeof value !== 'string' || !valuePattern.test(value))
      return `a ${name.toLowerCase()} header value that is not text`
  }
  return undefined
}
