import type { HeaderBag } from '../lib/headers.js'
import { singleHeader } from '../lib/headers.js'

/** What an event id or type source can read. */
export interface EventFieldContext {
  headers: HeaderBag
  params: Readonly<Record<string, string>>
  /** The parsed JSON payload, or `null`. */
  payload: unknown
}

/**
 * Where to find the event id or type: a header, a path parameter, a dotted
 * path into the JSON payload, or a function.
 *
 * @example
 * ```ts
 * eventType: { param: 'status' }            // /hooks/{STATUS}/{scanId}
 * eventId: { payload: 'data.scanId' }
 * eventId: { header: 'x-delivery-id' }
 * ```
 */
export type EventField =
  | { header: string }
  | { param: string }
  | { payload: string }
  | ((ctx: EventFieldContext) => string | null | undefined)

/** A compiled `EventField`. */
export type EventFieldReader = (ctx: EventFieldContext) => string | null | undefined

/** Compiles an `EventField` once; the result reads it per request. */
export function compileEventField(field: EventField, option: string): EventFieldReader {
  if (typeof field === 'function') return field
  if (field && typeof field === 'object') {
    if ('header' in field && typeof field.header === 'string') {
      const name = field.header.toLowerCase()
      return (ctx) => singleHeader(ctx.headers, name)
    }
    if ('param' in field && typeof field.param === 'string') {
      const name = field.param
      return (ctx) => ctx.params[name]
    }
    if ('payload' in field && typeof field.payload === 'string') {
      const path = field.payload.split('.')
      return (ctx) => {
        let value: unknown = ctx.payload
        for (const key of path) {
          if (value === null || typeof value !== 'object') return undefined
          value = (value as Record<string, unknown>)[key]
        }
        return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined
      }
    }
  }
  throw new TypeError(`${option} must be { header }, { param }, { payload } or a function`)
}
