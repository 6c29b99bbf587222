import { type IncomingHttpHeaders, request } from 'node:http'

/** One request, written exactly as given (raw `node:http`, one connection each). */
export interface SendInit {
  method?: string
  /** Appended to the target's `/hooks` URL, e.g. `/COMPLETED`. */
  path?: string
  /** Header values given as arrays are sent as repeated header lines. */
  headers?: Record<string, string | string[]>
  body?: string | Uint8Array
  /**
   * How the body goes out. `length` (default): with its `Content-Length`.
   * `chunked`: streamed in `Transfer-Encoding: chunked`, no `Content-Length`.
   * `stall`: a `Content-Length` longer than the bytes sent, then silence.
   */
  framing?: 'length' | 'chunked' | 'stall'
}

/** What came back. */
export interface Reply {
  status: number
  headers: IncomingHttpHeaders
  text: string
  /** The parsed JSON body, when it is JSON. */
  json: Record<string, unknown> | undefined
}

/** Replies received since the suite last took them, for checks that hold for every reply. */
export const replies: Reply[] = []

const replyTimeoutMs = 10_000

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>
  } catch {
    return undefined
  }
}

/**
 * Sends one request and resolves with the reply as soon as it has arrived,
 * even when the request body was never finished (stalls, oversized streams).
 */
export function send(url: string, init: SendInit = {}): Promise<Reply> {
  const body = typeof init.body === 'string' ? Buffer.from(init.body) : (init.body ?? new Uint8Array(0))
  const framing = init.framing ?? 'length'
  const headers: Record<string, string | string[]> = { ...init.headers }
  if (framing === 'length' && init.body !== undefined) headers['content-length'] = String(body.byteLength)
  if (framing === 'stall') headers['content-length'] = String(body.byteLength + 100)

  return new Promise((resolve, reject) => {
    const req = request(`${url}${init.path ?? ''}`, { method: init.method ?? 'POST', headers, agent: false })
    const timer = setTimeout(() => {
      req.destroy()
      reject(new Error(`no reply within ${replyTimeoutMs} ms`))
    }, replyTimeoutMs)
    req.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        clearTimeout(timer)
        const text = Buffer.concat(chunks).toString('utf8')
        const reply = { status: res.statusCode ?? 0, headers: res.headers, text, json: parseJson(text) }
        replies.push(reply)
        resolve(reply)
        if (!req.writableFinished) req.destroy()
      })
    })
    if (framing === 'length') req.end(body)
    else if (body.byteLength > 0) req.write(body)
    if (framing === 'chunked') req.end()
  })
}
