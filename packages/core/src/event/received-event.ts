import { base64Encode } from '#crypto'
import type { AuthInfo, WebhookEvent } from '../types.js'
import { parseJsonBody, parseJsonOrNull } from './event.js'

/** The event's fields that are known when it is built. */
export interface KnownFields {
  id: string | null
  /** The type, when it came from the verifier, a header or a path param; `undefined` to take the payload's. */
  type: string | null | undefined
  timestamp: number | null
  receivedAt: string
  method: string
  path: string | null
  params: Record<string, string>
  contentType: string | null
  headers: Record<string, string>
  sourceIp: string | null
  auth: AuthInfo[]
}

/** The payload's own `type` field, when it is a string. */
export function payloadType(payload: unknown): string | null {
  const type = payload !== null && typeof payload === 'object' ? (payload as Record<string, unknown>).type : undefined
  return typeof type === 'string' ? type : null
}

/** The body as a payload: parsed JSON, or `null` when the body is not JSON. */
export function parsePayload(body: Uint8Array, json: boolean, strict: boolean): unknown {
  if (!json) return null
  return strict ? parseJsonBody(body) : parseJsonOrNull(body)
}

/**
 * The event handed to `enqueue`. Its own enumerable properties are exactly
 * those of {@link WebhookEvent}, in that order, so `JSON.stringify`,
 * spreading and `structuredClone` give plain data. `type` (when it falls back
 * to the payload), `payload` and `bodyBase64` are accessors computed on their
 * first read, once, so a request whose payload nobody reads parses and
 * encodes nothing. The accessors are shared by every event; each event keeps
 * its state in private fields.
 */
export class ReceivedEvent implements WebhookEvent {
  declare id: string | null
  declare type: string | null
  declare timestamp: number | null
  declare receivedAt: string
  declare method: string
  declare path: string | null
  declare params: Record<string, string>
  declare payload: unknown
  declare bodyBase64: string
  declare contentType: string | null
  declare headers: Record<string, string>
  declare sourceIp: string | null
  declare auth: AuthInfo[]
  declare tenant: string | null

  readonly #body: Uint8Array
  readonly #json: boolean
  readonly #strict: boolean
  #parsed: { value: unknown } | undefined
  #type: string | null | undefined
  #bodyBase64: string | undefined

  /**
   * @param json - the body is JSON: its content type names JSON, or it starts with `{` or `[`
   * @param strict - invalid JSON throws `invalid_json` (`parseJson: 'eager'`) instead of reading as `null`
   * @param parsed - the payload, when it was parsed already
   */
  constructor(known: KnownFields, body: Uint8Array, json: boolean, strict: boolean, parsed?: { value: unknown }) {
    this.#body = body
    this.#json = json
    this.#strict = strict
    this.#parsed = parsed
    this.#type = known.type
    this.id = known.id
    Object.defineProperty(this, 'type', ReceivedEvent.#typeAccessor)
    this.timestamp = known.timestamp
    this.receivedAt = known.receivedAt
    this.method = known.method
    this.path = known.path
    this.params = known.params
    Object.defineProperty(this, 'payload', ReceivedEvent.#payloadAccessor)
    Object.defineProperty(this, 'bodyBase64', ReceivedEvent.#bodyBase64Accessor)
    this.contentType = known.contentType
    this.headers = known.headers
    this.sourceIp = known.sourceIp
    this.auth = known.auth
    this.tenant = null
  }

  /** The type, if it is known without parsing now: named by the sender, or read from a payload already parsed. */
  typeIfKnown(): string | null | undefined {
    if (this.#type === undefined && this.#parsed !== undefined) this.#type = payloadType(this.#parsed.value)
    return this.#type
  }

  /** The payload: the body parsed on the first call, once. */
  #readPayload(): unknown {
    this.#parsed ??= { value: parsePayload(this.#body, this.#json, this.#strict) }
    return this.#parsed.value
  }

  static readonly #typeAccessor: PropertyDescriptor = {
    get(this: ReceivedEvent): string | null {
      if (this.#type === undefined) this.#type = payloadType(this.#readPayload())
      return this.#type
    },
    set(this: ReceivedEvent, value: string | null) {
      this.#type = value
    },
    enumerable: true,
    configurable: true,
  }

  static readonly #payloadAccessor: PropertyDescriptor = {
    get(this: ReceivedEvent): unknown {
      return this.#readPayload()
    },
    set(this: ReceivedEvent, value: unknown) {
      this.#parsed = { value }
    },
    enumerable: true,
    configurable: true,
  }

  static readonly #bodyBase64Accessor: PropertyDescriptor = {
    get(this: ReceivedEvent): string {
      this.#bodyBase64 ??= base64Encode(this.#body)
      return this.#bodyBase64
    },
    set(this: ReceivedEvent, value: string) {
      this.#bodyBase64 = value
    },
    enumerable: true,
    configurable: true,
  }
}
