import { base64Decode } from '#crypto'
import { WebhookError } from '../errors.js'
import type { WebhookEvent } from '../types.js'

const eventIdPattern = /^[\x21-\x7e]{1,256}$/
const decoder = new TextDecoder('utf-8', { fatal: true })

/** Event ids are 1–256 printable ASCII characters without spaces. */
export function checkEventId(id: string): string {
  if (!eventIdPattern.test(id)) {
    throw new WebhookError('invalid_event_id', `event id of ${id.length} characters is not 1-256 printable ASCII`)
  }
  return id
}

/** Whether a `Content-Type` names JSON (`application/json`, `…+json`). */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (!contentType) return false
  const semicolon = contentType.indexOf(';')
  const mediaType = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase()
  return mediaType === 'application/json' || mediaType.endsWith('+json')
}

/**
 * Whether the body itself looks like a JSON object or array: its first byte
 * after JSON whitespace is `{` or `[`. Nothing is parsed here; the `Content-Type`
 * is not signed, so the body's own first byte decides as well.
 */
export function looksLikeJson(body: Uint8Array): boolean {
  for (const byte of body) {
    if (byte === 0x7b || byte === 0x5b) return true
    if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return false
  }
  return false
}

/** Parses a JSON body strictly: invalid UTF-8 or JSON is `invalid_json`. */
export function parseJsonBody(body: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(body))
  } catch {
    throw new WebhookError('invalid_json', `body of ${body.byteLength} bytes is not valid UTF-8 JSON`)
  }
}

/** Parses a JSON body, or gives `null` when it is not valid UTF-8 JSON (`parseJson: 'lazy'`). */
export function parseJsonOrNull(body: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(body))
  } catch {
    return null
  }
}

/**
 * The raw body bytes of an event, exactly as the sender signed them.
 *
 * @example
 * ```ts
 * enqueue: async (event) => { await fs.writeFile(`${event.id}.bin`, eventBody(event)) }
 * ```
 */
export function eventBody(event: Pick<WebhookEvent, 'bodyBase64'>): Uint8Array {
  return base64Decode(event.bodyBase64)
}

/**
 * The raw body of an event as text (UTF-8; invalid bytes become U+FFFD).
 *
 * @example
 * ```ts
 * const text = eventText(event)
 * ```
 */
export function eventText(event: Pick<WebhookEvent, 'bodyBase64'>): string {
  return new TextDecoder().decode(eventBody(event))
}
