import type { Body } from './types.js'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** The body to send (a JSON value serialized once) and its bytes. */
export function settleBody(body: Body): { body: string | Uint8Array<ArrayBuffer>; bytes: Uint8Array } {
  if (typeof body === 'string') return { body, bytes: encoder.encode(body) }
  if (body instanceof Uint8Array) {
    const copy = new Uint8Array(body)
    return { body: copy, bytes: copy }
  }
  if (body === null || typeof body !== 'object') throw new TypeError('body must be a string, bytes or a JSON value')
  const text = JSON.stringify(body)
  return { body: text, bytes: encoder.encode(text) }
}

/** A top-level string field of a JSON object body, if the body is one. */
export function payloadString(bytes: Uint8Array, field: string): string | undefined {
  try {
    const value = (JSON.parse(decoder.decode(bytes)) as Record<string, unknown> | null)?.[field]
    return typeof value === 'string' ? value : undefined
  } catch {
    return undefined
  }
}

/** Unix seconds from a number or a `Date`. */
export function unixSeconds(timestamp: number | Date | undefined): number {
  if (timestamp === undefined) return Math.floor(Date.now() / 1000)
  const seconds = timestamp instanceof Date ? Math.floor(timestamp.getTime() / 1000) : timestamp
  if (!Number.isInteger(seconds) || seconds < 0) throw new TypeError('timestamp must be whole Unix seconds or a Date')
  return seconds
}
