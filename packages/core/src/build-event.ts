import { WebhookError } from './errors.js'
import { checkEventId, isJsonContentType } from './event.js'
import type { EventFieldContext, EventFieldReader } from './event-field.js'
import type { HeaderBag } from './headers.js'
import { joinedHeader, singleHeader } from './headers.js'
import { isoTime } from './iso-time.js'
import { parsePayload, payloadType, ReceivedEvent } from './received-event.js'
import type { AuthInfo, WebhookEvent } from './types.js'

/** Where the guard finds the event id and type, compiled once per guard. */
export interface EventSources {
  /** The user's `eventId` option, which wins over everything else. */
  id?: EventFieldReader
  /** The user's `eventType` option. */
  type?: EventFieldReader
  /** The senders' own conventions (a preset's `eventId`), after what `verify` returned. */
  senderIds: readonly EventFieldReader[]
  senderTypes: readonly EventFieldReader[]
  keptHeaders: readonly string[]
  parseJson: 'eager' | 'lazy'
  /** Whether an event needs an id (dedupe is on). */
  idRequired: boolean
}

/** What is known once every verifier passed. */
export interface VerifiedDelivery {
  method: string
  path: string | undefined
  params: Readonly<Record<string, string>>
  headers: HeaderBag
  body: Uint8Array
  sourceIp: string | null
  receivedAtMs: number
  verifiedId: string | undefined
  verifiedType: string | undefined
  timestamp: number | null
  auth: AuthInfo[]
}

/** The event, and its type if it was known without parsing the body (for the log record). */
export interface BuiltEvent {
  event: WebhookEvent
  knownType: string | null
}

function firstField(fields: readonly EventFieldReader[], ctx: () => EventFieldContext): string | undefined {
  for (const field of fields) {
    const value = field(ctx())
    if (value !== undefined && value !== null) return value
  }
  return undefined
}

let lastContentType: string | undefined
let lastContentTypeIsJson = false

/** `isJsonContentType`, remembering the last answer: a sender sends the same content type every time. */
function namesJson(contentType: string | undefined): boolean {
  if (contentType !== lastContentType) {
    lastContentTypeIsJson = isJsonContentType(contentType)
    lastContentType = contentType
  }
  return lastContentTypeIsJson
}

/**
 * Builds the event handed to `enqueue`. A JSON body is parsed at most once:
 * up front with `parseJson: 'eager'` (invalid JSON is 400 `invalid_json`), or
 * on the first read of whatever needs it with `'lazy'` (the id or type
 * sources, `event.payload`, `event.type` when it falls back to the payload).
 */
export function buildEvent(delivery: VerifiedDelivery, sources: EventSources): BuiltEvent {
  const { headers, params, body } = delivery
  const contentType = singleHeader(headers, 'content-type')
  const json = namesJson(contentType)
  const strict = sources.parseJson === 'eager'
  let parsed: { value: unknown } | undefined
  const readPayload = (): unknown => {
    parsed ??= { value: parsePayload(body, json, strict) }
    return parsed.value
  }
  if (strict) readPayload()
  let fields: EventFieldContext | undefined
  const context = (): EventFieldContext =>
    (fields ??= {
      headers,
      params,
      get payload() {
        return readPayload()
      },
    })

  const id =
    (sources.id ? sources.id(context()) : (delivery.verifiedId ?? firstField(sources.senderIds, context))) ?? null
  if (id !== null) checkEventId(id)
  else if (sources.idRequired)
    throw new WebhookError('missing_event_id', 'no event id: configure eventId or turn dedupe off')
  const namedType =
    (sources.type ? sources.type(context()) : (delivery.verifiedType ?? firstField(sources.senderTypes, context))) ??
    null
  // A type taken from the payload waits for its first read, unless the payload is parsed already (or is not JSON).
  const type = namedType ?? (parsed || !json ? payloadType(readPayload()) : undefined)

  const keptHeaders: Record<string, string> = {}
  for (const name of sources.keptHeaders) {
    const value = joinedHeader(headers, name, ', ')
    if (value !== undefined) keptHeaders[name] = value
  }
  const event = new ReceivedEvent(
    {
      id,
      type,
      timestamp: delivery.timestamp,
      receivedAt: isoTime(delivery.receivedAtMs),
      method: delivery.method.toUpperCase(),
      path: delivery.path ?? null,
      params: { ...params },
      contentType: contentType ?? null,
      headers: keptHeaders,
      sourceIp: delivery.sourceIp,
      auth: delivery.auth,
    },
    body,
    json,
    strict,
    parsed,
  )
  return { event, knownType: type ?? null }
}
