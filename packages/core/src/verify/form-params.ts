import { WebhookError } from '../errors.js'
import { singleHeader } from '../lib/headers.js'
import type { VerifyContext } from './verifier.js'

const decoder = new TextDecoder('utf-8', { fatal: true })

/** One `application/x-www-form-urlencoded` name or value, decoded (`+` is a space). */
function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '))
  } catch {
    throw new WebhookError('invalid_body', 'the form body has a malformed percent-encoding')
  }
}

/**
 * The body's form parameters as Twilio signs them (`{form}`): the
 * `application/x-www-form-urlencoded` body decoded, the names sorted (by
 * UTF-16 code units, as JavaScript sorts), and for each name its distinct
 * values sorted, each written as name then value with nothing between. An
 * empty body gives `''` whatever its type; a non-empty body that is not
 * form-encoded is refused (`invalid_signature`): what was signed cannot be
 * read from it.
 */
export function sortedFormParams(ctx: VerifyContext): string {
  if (ctx.body.byteLength === 0) return ''
  const type = singleHeader(ctx.headers, 'content-type')
  if (type === undefined || type.split(';')[0]?.trim().toLowerCase() !== 'application/x-www-form-urlencoded') {
    throw new WebhookError(
      'invalid_signature',
      'the signature covers form parameters, but the body is not form-encoded',
    )
  }
  let text: string
  try {
    text = decoder.decode(ctx.body)
  } catch {
    throw new WebhookError('invalid_body', 'the form body is not UTF-8')
  }
  const params = new Map<string, Set<string>>()
  for (const pair of text.split('&')) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    const name = decodeComponent(eq === -1 ? pair : pair.slice(0, eq))
    const value = eq === -1 ? '' : decodeComponent(pair.slice(eq + 1))
    const values = params.get(name)
    if (values) values.add(value)
    else params.set(name, new Set([value]))
  }
  let out = ''
  for (const name of [...params.keys()].sort()) {
    for (const value of [...(params.get(name) as Set<string>)].sort()) out += name + value
  }
  return out
}
