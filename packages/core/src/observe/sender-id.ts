import type { EventField } from '../event/event-field.js'
import type { HeaderBag } from '../lib/headers.js'
import type { Verifier } from '../verify/verifier.js'

const printableId = /^[\x21-\x7e]{1,256}$/

/**
 * The headers a delivery's id may arrive in, for the log of a refused one:
 * your `eventId` and each verifier's, when they name a header, and the
 * verifiers' `idHeaders`. Compiled once per guard.
 */
export function senderIdHeaders(options: { eventId?: EventField; verify: readonly Verifier[] }): readonly string[] {
  const names: string[] = []
  const add = (field: EventField | undefined) => {
    if (field && typeof field === 'object' && 'header' in field && typeof field.header === 'string') {
      names.push(field.header.toLowerCase())
    }
  }
  add(options.eventId)
  for (const verifier of options.verify) {
    add(verifier.eventId)
    for (const name of verifier.idHeaders ?? []) names.push(name.toLowerCase())
  }
  return [...new Set(names)]
}

/**
 * The id the sender gave in a header, unverified: for matching a refused
 * delivery to the sender's delivery log, never as the event's id. Only a
 * value shaped like an event id (1–256 printable ASCII) is reported.
 */
export function unverifiedIdOf(headers: HeaderBag, names: readonly string[]): string | undefined {
  for (const name of names) {
    const raw = headers[name]
    // A repeated header names no one delivery: nothing is reported.
    const value = typeof raw === 'string' ? raw : raw?.length === 1 ? raw[0] : undefined
    if (value !== undefined && printableId.test(value)) return value
  }
  return undefined
}
