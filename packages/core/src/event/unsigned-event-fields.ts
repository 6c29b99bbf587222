import type { GuardOptions } from '../options.js'

/** An `eventId` or `eventType` option that reads a part of the request no signature covers. */
export interface UnsignedEventField {
  option: 'eventId' | 'eventType'
  /** Where it reads, e.g. `header x-delivery` or `path parameter id`. */
  source: string
  message: string
}

const consequence = {
  eventId:
    'whoever re-sends a captured delivery chooses event.id (the id a verifier vouches for is still claimed for dedupe)',
  eventType: 'whoever re-sends a captured delivery chooses event.type',
}

/**
 * The `eventId` and `eventType` options that read a header or a path
 * parameter no verifier's signature covers, while some verifier signs the
 * request: the guard warns about each once, at creation. A payload field is
 * signed with the body; a function is the user's to judge.
 *
 * @example
 * ```ts
 * unsignedEventFields({ verify: [standardWebhooks({ secret })], eventId: { param: 'id' } })
 * // [{ option: 'eventId', source: 'path parameter id', message: '…' }]
 * ```
 */
export function unsignedEventFields(
  options: Pick<GuardOptions, 'verify' | 'eventId' | 'eventType'>,
): UnsignedEventField[] {
  const signing = options.verify.filter((verifier) => verifier.signs !== undefined)
  if (signing.length === 0) return []
  const signedHeaders = new Set(signing.flatMap((verifier) => verifier.signs?.headers ?? []))
  const found: UnsignedEventField[] = []
  for (const option of ['eventId', 'eventType'] as const) {
    const field = options[option]
    if (field === undefined || typeof field === 'function') continue
    let source: string | undefined
    if ('param' in field) source = `path parameter ${field.param}`
    else if ('header' in field && !signedHeaders.has(field.header.toLowerCase())) source = `header ${field.header}`
    if (source === undefined) continue
    found.push({
      option,
      source,
      message: `${option} reads the ${source}, which no signature covers: ${consequence[option]}`,
    })
  }
  return found
}
