import { WebhookError } from '../errors.js'

/**
 * Request headers with lower-case names. A value is an array when the header
 * was repeated (Node's `req.headersDistinct` has this shape; so does a plain
 * record built from Web `Headers`).
 */
export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>

/**
 * The value of a header that must appear at most once, or `undefined` when it
 * is absent. A repeated header is rejected with `duplicate_header`.
 */
export function singleHeader(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name]
  if (value === undefined || typeof value === 'string') return value
  if (value.length > 1) throw new WebhookError('duplicate_header', `header ${name} appears ${value.length} times`)
  return value[0]
}

/** Every value of a header joined with `separator` (repeated headers read as one list). */
export function joinedHeader(headers: HeaderBag, name: string, separator: string): string | undefined {
  const value = headers[name]
  if (value === undefined || typeof value === 'string') return value
  return value.length < 2 ? value[0] : value.join(separator)
}

/** A `HeaderBag` from Web `Headers`. Repeated headers arrive already joined with `, `. */
export function headersFromWeb(headers: Headers): Record<string, string> {
  const bag: Record<string, string> = {}
  headers.forEach((value, name) => {
    bag[name] = value
  })
  return bag
}
