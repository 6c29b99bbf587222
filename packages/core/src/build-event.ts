import { base64Encode } from '#crypto'
import { WebhookError } from './errors.js'
import { checkEventId, isJsonContentType, parseJsonBody, parseJsonOrNull } from './event.js'
import type { EventFieldContext, EventFieldReader } from './event-field.js'
import type { HeaderBag } from './headers.js'
import { joinedHeader, singleHeader } from './headers.js'
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

let lastTimeMs = Number.NaN
let lastTimeText = ''

/** ISO 8601 for a time in ms; deliveries arrive many to a millisecond under load, so the last one is kept. */
function isoTime(ms: number): string {
  if (ms !== lastTimeMs) {
    lastTimeText = new Date(ms).toISOString()
    lastTimeMs = ms
  }
  return lastTimeText
}

function payloadType(payload: unknown): string | null {
  const type = payload !== null && typeof payload === 'object' ? (payload as Record<string, unknown>).type : undefined
  return typeof type === 'string' ? type : null
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

/** What an event computes on first read: the parsed payload, the type taken from it, the base64 body. */
class LazyFields {
  private parsed: { value: unknown } | undefined
  type: string | null | undefined
  bodyBase64: string | undefined

  constructor(
    private readonly body: Uint8Array,
    private readonly json: boolean,
    private readonly strict: boolean,
  ) {}

  /** Parses the body once, on the first call. */
  payload(): unknown {
    this.parsed ??= {
      value: this.json ? (this.strict ? parseJsonBody(this.body) : parseJsonOrNull(this.body)) : null,
    }
    return this.parsed.value
  }

  setPayload(value: unknown): void {
    this.parsed = { value }
  }

  get payloadRead(): boolean {
    return this.parsed !== undefined
  }

  readType(): string | null {
    this.type ??= payloadType(this.payload())
    return this.type
  }

  readBodyBase64(): string {
    this.bodyBase64 ??= base64Encode(this.body)
    return this.bodyBase64
  }
}

const lazyFields = Symbol('hookguard.lazyFields')
type WithLazyFields = WebhookEvent & { [lazyFields]: LazyFields }

// One set of accessor functions for every event (not new closures per event, which V8 builds slowly):
// each finds its event's state under a non-enumerable symbol key.
const typeAccessor: PropertyDescriptor = {
  get(this: WithLazyFields) {
    return this[lazyFields].readType()
  },
  set(this: WithLazyFields, value: string | null) {
    this[lazyFields].type = value
  },
  enumerable: true,
  configurable: true,
}
const payloadAccessor: PropertyDescriptor = {
  get(this: WithLazyFields) {
    return this[lazyFields].payload()
  },
  set(this: WithLazyFields, value: unknown) {
    this[lazyFields].setPayload(value)
  },
  enumerable: true,
  configurable: true,
}
const bodyBase64Accessor: PropertyDescriptor = {
  get(this: WithLazyFields) {
    return this[lazyFields].readBodyBase64()
  },
  set(this: WithLazyFields, value: string) {
    this[lazyFields].bodyBase64 = value
  },
  enumerable: true,
  configurable: true,
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
  const lazy = new LazyFields(body, json, sources.parseJson === 'eager')
  if (sources.parseJson === 'eager') lazy.payload()
  let fields: EventFieldContext | undefined
  const context = (): EventFieldContext =>
    (fields ??= {
      headers,
      params,
      get payload() {
        return lazy.payload()
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
  // A type read from the payload waits for its first read, unless the payload is parsed already (or is not JSON).
  if (namedType !== null) lazy.type = namedType
  else if (lazy.payloadRead || !json) lazy.readType()

  const keptHeaders: Record<string, string> = {}
  for (const name of sources.keptHeaders) {
    const value = joinedHeader(headers, name, ', ')
    if (value !== undefined) keptHeaders[name] = value
  }
  // `type`, `payload` and `bodyBase64` are own enumerable accessors, computed on first read, once: so
  // `JSON.stringify`, spreading and `structuredClone` see plain values, and a request whose payload
  // nobody reads parses and encodes nothing. Properties are added in the order of `WebhookEvent`.
  const event = { id } as WithLazyFields
  Object.defineProperty(event, lazyFields, { value: lazy })
  Object.defineProperty(event, 'type', typeAccessor)
  event.timestamp = delivery.timestamp
  event.receivedAt = isoTime(delivery.receivedAtMs)
  event.method = delivery.method.toUpperCase()
  event.path = delivery.path ?? null
  event.params = { ...params }
  Object.defineProperty(event, 'payload', payloadAccessor)
  Object.defineProperty(event, 'bodyBase64', bodyBase64Accessor)
  event.contentType = contentType ?? null
  event.headers = keptHeaders
  event.sourceIp = delivery.sourceIp
  event.auth = delivery.auth
  return { event, knownType: lazy.type ?? null }
}
