import { type ErrorCode, errorStatus, errorTitle, type VerdictCode } from '../errors.js'
import type { Verdict, WebhookEvent } from '../types.js'
import type { HandshakeReply } from '../verify/verifier.js'

const problemJson = 'application/problem+json'

function respond(status: number, code: VerdictCode, contentType: string, body: string): Verdict {
  return {
    status,
    code,
    headers: { 'content-type': contentType, 'content-length': String(body.length), 'cache-control': 'no-store' },
    body,
  }
}

/** Options that shape rejection headers. */
export interface RejectionContext {
  retryAfterSeconds: number
  allow: string
  /** The body was not read to its end: the connection must close. */
  closeConnection: boolean
}

/** A problem+json rejection with the headers its status requires. */
export function rejection(code: ErrorCode, ctx: RejectionContext): Verdict {
  const status = errorStatus[code]
  const verdict = respond(status, code, problemJson, JSON.stringify({ status, code, title: errorTitle[code] }))
  if (status === 503 || status === 409 || status === 429) verdict.headers['retry-after'] = String(ctx.retryAfterSeconds)
  if (status === 405) verdict.headers.allow = ctx.allow
  if (ctx.closeConnection) verdict.headers.connection = 'close'
  return verdict
}

const acceptedBody = JSON.stringify({ status: 202, code: 'accepted' })
const duplicateBody = JSON.stringify({ status: 200, code: 'duplicate' })
// Shared by every 2xx verdict; frozen, since adapters only read them.
const acceptedHeaders = Object.freeze(respond(202, 'accepted', 'application/json', acceptedBody).headers)

/** 202: the event was handed to `enqueue`, which resolved. */
export function accepted(event: WebhookEvent): Verdict {
  return { status: 202, code: 'accepted', headers: acceptedHeaders, body: acceptedBody, event }
}

/** 200: this event id was already processed; it was not enqueued again. */
export function duplicate(): Verdict {
  return respond(200, 'duplicate', 'application/json', duplicateBody)
}

/** 200: a sender's handshake, answered as the sender expects; nothing was enqueued. */
export function handshake(reply: HandshakeReply): Verdict {
  const length = new TextEncoder().encode(reply.body).byteLength
  return {
    status: 200,
    code: 'handshake',
    headers: {
      ...reply.headers,
      'content-type': reply.contentType,
      'content-length': String(length),
      'cache-control': 'no-store',
    },
    body: reply.body,
  }
}
