import { headersFromWeb } from '../lib/headers.js'
import type { TlsPeer, Verdict, WebhookRequest } from '../types.js'

/** What a fetch-style runtime knows beside the `Request`. */
export interface WebRequestInfo {
  /** The client's address, from the runtime (e.g. Deno's `info.remoteAddr.hostname`). */
  remoteAddress?: string
  /** Path parameters from the router, e.g. `{ status: 'COMPLETED' }`. */
  params?: Readonly<Record<string, string>>
  tls?: TlsPeer
}

const bodyUsedHint =
  'the Request body was read before guard.handle: hand the guard the request before anything reads it, ' +
  'or read a request.clone() made beforehand'

/**
 * The neutral request for a Web `Request`; the body stays a stream, read by
 * the core with its limits. A body already read (`bodyUsed`) is marked
 * unavailable, with the fix for the log.
 */
export function fromWebRequest(request: Request, info: WebRequestInfo = {}): WebhookRequest {
  let path: string | undefined
  let query = ''
  try {
    const url = new URL(request.url)
    path = url.pathname
    query = url.search.slice(1)
  } catch {
    path = undefined
  }
  const neutral: WebhookRequest = {
    method: request.method,
    path,
    query,
    params: info.params,
    headers: headersFromWeb(request.headers),
    remoteAddress: info.remoteAddress,
    tls: info.tls,
    body: request.body,
  }
  if (request.bodyUsed) neutral.bodyUnavailable = bodyUsedHint
  return neutral
}

/** The Web `Response` for a verdict. */
export function toResponse(verdict: Verdict): Response {
  // `connection` is the server's business in fetch runtimes; most verdicts have none, and need no copy.
  let headers = verdict.headers
  if (headers.connection !== undefined) {
    const { connection: _, ...rest } = headers
    headers = rest
  }
  // A 204 or 205 (a `respond` reply) may not have a body, not even an empty one.
  const body = verdict.status === 204 || verdict.status === 205 ? null : verdict.body
  return new Response(body, { status: verdict.status, headers })
}
