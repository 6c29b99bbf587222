import { WebhookError } from '../errors.js'
import type { HandshakeReply } from '../verify/verifier.js'

/**
 * The one value of `name` in a query string, form-decoded as senders send it
 * (`+` is a space, `%2B` a plus); `undefined` when absent. A repeated name is
 * a malformed handshake (400 `invalid_challenge`).
 */
export function queryValue(query: string, name: string): string | undefined {
  const values = new URLSearchParams(query).getAll(name)
  if (values.length > 1) throw new WebhookError('invalid_challenge', `query parameter ${name} is repeated`)
  return values[0]
}

/**
 * `value` when it is a challenge a sender could have made: at most
 * `maxLength` characters, all of them from `allowed`; else 400
 * `invalid_challenge`, whose detail names the parameter, never its value.
 */
export function checkedChallenge(value: unknown, name: string, allowed: RegExp, maxLength = 256): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength || !allowed.test(value)) {
    throw new WebhookError(
      'invalid_challenge',
      `${name} is missing, longer than ${maxLength} or outside its characters`,
    )
  }
  return value
}

/** A `text/plain` reply the browser will not sniff into anything else. */
export function plainTextReply(body: string): HandshakeReply {
  return { contentType: 'text/plain; charset=utf-8', body, headers: { 'x-content-type-options': 'nosniff' } }
}

/** A JSON reply. */
export function jsonReply(value: unknown): HandshakeReply {
  return { contentType: 'application/json', body: JSON.stringify(value) }
}
