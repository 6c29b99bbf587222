import type { SignedRequest } from './types.js'

/** One delivery attempt as the sender saw it. */
export interface AttemptRecord {
  /** 1 for the first delivery, 2 for the first retry… (counted per delivery, duplicates start again at 1). */
  attempt: number
  /** Whether this was a deliberate re-send of an event already delivered. */
  duplicate: boolean
  /** The HTTP status, or `null` when no answer came. */
  status: number | null
  /** The answer's `code` (hookguard's problem+json and acknowledgements), when it has one. */
  code: string | null
  /** From sending to the end of the answer, in ms. */
  latencyMs: number
  /** Why no answer came: the deadline passed (`timeout`), the connection failed (`network`), or the run was stopped. */
  error?: { kind: 'timeout' | 'network' | 'cancelled'; message: string }
}

/** What a single delivery got back. */
export type AttemptResult = Omit<AttemptRecord, 'attempt' | 'duplicate'>

const maxAnswerBytes = 64 * 1024

function codeOf(text: string): string | null {
  try {
    const code = (JSON.parse(text) as { code?: unknown } | null)?.code
    return typeof code === 'string' ? code : null
  } catch {
    return null
  }
}

function networkMessage(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause
  if (cause && typeof cause.code === 'string')
    return `${cause.code}${typeof cause.message === 'string' ? `: ${cause.message}` : ''}`
  return error instanceof Error ? error.message : 'connection failed'
}

/** Sends one signed request and waits at most `timeoutMs` for the whole answer. */
export async function deliver(
  fetchFn: typeof fetch,
  url: string,
  signed: SignedRequest,
  timeoutMs: number,
  cancel: AbortSignal,
): Promise<AttemptResult> {
  const deadline = new AbortController()
  const timer = setTimeout(() => deadline.abort(), timeoutMs)
  const started = performance.now()
  try {
    const response = await fetchFn(url, {
      method: signed.method,
      headers: signed.headers,
      body: signed.body,
      redirect: 'manual',
      signal: AbortSignal.any([deadline.signal, cancel]),
    })
    const text = (await response.text()).slice(0, maxAnswerBytes)
    return { status: response.status, code: codeOf(text), latencyMs: performance.now() - started }
  } catch (error) {
    const latencyMs = performance.now() - started
    if (deadline.signal.aborted) {
      return {
        status: null,
        code: null,
        latencyMs,
        error: { kind: 'timeout', message: `no answer within ${timeoutMs} ms` },
      }
    }
    if (cancel.aborted)
      return { status: null, code: null, latencyMs, error: { kind: 'cancelled', message: 'cancelled' } }
    return { status: null, code: null, latencyMs, error: { kind: 'network', message: networkMessage(error) } }
  } finally {
    clearTimeout(timer)
  }
}
