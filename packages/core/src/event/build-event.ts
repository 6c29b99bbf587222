import type { Delivery } from '../delivery.js'
import { WebhookError } from '../errors.js'
import type { HeaderBag } from '../lib/headers.js'
import { joinedHeader, singleHeader } from '../lib/headers.js'
import type { MaybePromise } from '../lib/maybe-promise.js'
import type { GuardParts } from '../parts.js'
import type { AuthInfo, Verdict, WebhookRequest } from '../types.js'
import { checkEventId, isJsonContentType, looksLikeJson } from './event.js'
import type { EventFieldContext, EventFieldReader } from './event-field.js'
import { admitEventType } from './event-types.js'
import { isoTime } from './iso-time.js'
import { parsePayload, payloadType, ReceivedEvent } from './received-event.js'

/** The params of a request that has none (shared, frozen). */
export const noParams: Readonly<Record<string, string>> = Object.freeze({})

/** Where the guard finds the event id and type, compiled once per guard. */
export interface EventSources {
  /**
   * The user's `eventId` option: the event's id when it reads one. An id a
   * verifier vouched for is still claimed beside it (see `claimKeys`).
   */
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

/** What the verifiers learned, gathered as each one passes. */
export interface Verified {
  id: string | undefined
  type: string | undefined
  timestamp: number | null
  auth: AuthInfo[]
  /** The verifiers' replay keys, each as a `replayId`, with how long it is kept once done. */
  replays: { id: string; ttlMs: number | undefined }[] | undefined
}

/** The first value the readers find, if any reads anything. */
function firstField(readers: readonly EventFieldReader[], ctx: EventFieldContext | undefined): string | undefined {
  if (ctx === undefined) return undefined
  for (const read of readers) {
    const value = read(ctx)
    if (value !== undefined && value !== null) return value
  }
  return undefined
}

/** Whether any id or type source will be read for this delivery. */
function readsFields(sources: EventSources, verified: Verified): boolean {
  return (
    sources.id !== undefined ||
    sources.type !== undefined ||
    (verified.id === undefined && sources.senderIds.length > 0) ||
    (verified.type === undefined && sources.senderTypes.length > 0)
  )
}

/**
 * Step 6: the event handed to `enqueue` (id, type, timestamp, lazily parsed
 * payload), recorded for the log; then, with `events`, `allowTypes` or
 * `ignoreTypes`, its type admitted and its payload validated
 * (`admitEventType`: 200 `ignored`, `invalid_payload`).
 */
export function buildTheEvent(delivery: Delivery, parts: GuardParts): MaybePromise<Verdict | undefined> {
  const { request, body, sourceIp, receivedAtMs, verified } = delivery
  const event = buildEvent(request, body, sourceIp, receivedAtMs, verified, parts.eventSources)
  event.tenant = delivery.tenant
  delivery.event = event
  delivery.eventId = event.id
  delivery.eventType = event.typeIfKnown() ?? null
  return parts.eventTypes === undefined ? undefined : admitEventType(delivery, parts.eventTypes)
}

/**
 * Builds the event handed to `enqueue`. A JSON body is parsed at most once:
 * up front with `parseJson: 'eager'` (invalid JSON is 400 `invalid_json`), or
 * on the first read of whatever needs it with `'lazy'` (the id or type
 * sources, `event.payload`, `event.type` when it falls back to the payload).
 * Its type, when known without parsing, is `event.typeIfKnown()`.
 */
export function buildEvent(
  request: WebhookRequest,
  body: Uint8Array,
  sourceIp: string | null,
  receivedAtMs: number,
  verified: Verified,
  sources: EventSources,
): ReceivedEvent {
  const { headers } = request
  const params = request.params ?? noParams
  const contentType = singleHeader(headers, 'content-type')
  // The body itself says it is JSON: a signed JSON body sent as `text/plain` still has its payload and type.
  const json = looksLikeJson(body) || isJsonContentType(contentType)
  const strict = sources.parseJson === 'eager'
  const parsed = strict ? { value: parsePayload(body, json, strict) } : undefined
  // Only the configured id and type sources read these; most deliveries name both in headers or the verifier.
  const fields = readsFields(sources, verified)
    ? new FieldContext(headers, params, body, json, strict, parsed)
    : undefined

  const id = eventIdOf(sources, verified, fields)
  const namedType =
    (sources.type && fields ? sources.type(fields) : (verified.type ?? firstField(sources.senderTypes, fields))) ?? null
  // A source may have parsed the payload already: the event keeps it rather than parsing again.
  const payload = fields?.parsed ?? parsed
  // A type taken from the payload waits for its first read, unless the payload is parsed already;
  // a body that is not JSON has none.
  const type = namedType ?? (payload ? payloadType(payload.value) : json ? undefined : null)

  return new ReceivedEvent(
    {
      id,
      type,
      timestamp: verified.timestamp,
      receivedAt: isoTime(receivedAtMs),
      method: request.method.toUpperCase(),
      path: request.path ?? null,
      params: { ...params },
      contentType: contentType ?? null,
      headers: keptHeadersOf(headers, sources.keptHeaders),
      sourceIp,
      auth: verified.auth,
    },
    body,
    json,
    strict,
    payload,
  )
}

/**
 * The event's id: the user's source names it; the id a verifier vouched for
 * stands when it names none; then a sender's own convention. Checked to be an
 * id; required while dedupe is on. A vouched-for id that is not the event's is
 * claimed too, so it must be an id as well.
 */
function eventIdOf(sources: EventSources, verified: Verified, fields: FieldContext | undefined): string | null {
  const id =
    (sources.id && fields
      ? (sources.id(fields) ?? verified.id)
      : (verified.id ?? firstField(sources.senderIds, fields))) ?? null
  if (id !== null) checkEventId(id)
  else if (sources.idRequired)
    throw new WebhookError('missing_event_id', 'no event id: configure eventId or turn dedupe off')
  if (verified.id !== undefined && verified.id !== id) checkEventId(verified.id)
  return id
}

/** The headers kept on the event. No prototype: a header name can never reach an inherited property. */
function keptHeadersOf(headers: HeaderBag, names: readonly string[]): Record<string, string> {
  const kept: Record<string, string> = Object.create(null)
  for (const name of names) {
    const value = joinedHeader(headers, name, ', ')
    if (value !== undefined) kept[name] = value
  }
  return kept
}

/** What an id or type source reads: the headers, the path params, and the payload, parsed on first read. */
class FieldContext implements EventFieldContext {
  constructor(
    readonly headers: HeaderBag,
    readonly params: Readonly<Record<string, string>>,
    private readonly body: Uint8Array,
    private readonly json: boolean,
    private readonly strict: boolean,
    public parsed: { value: unknown } | undefined,
  ) {}

  get payload(): unknown {
    this.parsed ??= { value: parsePayload(this.body, this.json, this.strict) }
    return this.parsed.value
  }
}
