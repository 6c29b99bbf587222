import { WebhookError } from '../errors.js'
import { singleHeader } from '../lib/headers.js'
import { headerName, nonEmptyString, optionError } from './option-checks.js'
import type { VerifyContext } from './verifier.js'

/**
 * What a signature covers, as a template over the raw request, shared by the
 * signature verifiers (`hmacSignature`, `asymmetricSignature`): `{body}` (the raw
 * bytes), `{timestamp}` (exactly as sent) and `{header:name}`; everything else is
 * literal text. Compiled once at creation; filled in per request.
 */

/** One piece of a compiled template. */
export type Part = { literal: string } | { body: true } | { timestamp: true } | { header: string }

const placeholder = /\{([^{}]*)\}/g

/** Compiles a `signedContent` template; a template without `{body}` or with an unknown placeholder is a `TypeError`. */
export function compileTemplate(template: string, where: string): Part[] {
  const parts: Part[] = []
  let last = 0
  let hasBody = false
  for (const match of template.matchAll(placeholder)) {
    if (match.index > last) parts.push({ literal: template.slice(last, match.index) })
    const name = match[1] as string
    if (name === 'body') {
      parts.push({ body: true })
      hasBody = true
    } else if (name === 'timestamp') parts.push({ timestamp: true })
    else if (name.startsWith('header:')) {
      parts.push({ header: headerName(name.slice(7), where, `signedContent {${name}}`) })
    } else {
      throw new TypeError(
        `${where}: signedContent has an unknown placeholder {${name}}: use {body}, {timestamp} or {header:name}`,
      )
    }
    last = match.index + match[0].length
  }
  if (last < template.length) parts.push({ literal: template.slice(last) })
  if (!hasBody) throw optionError(where, 'signedContent', 'a template with {body}')
  return parts
}

/** Where the timestamp is (its header, or its entry), refused unless the template signs it. */
export function timestampPlace(
  timestampOption: { header: string } | { entry: string } | undefined,
  separator: string | undefined,
  template: readonly Part[],
  where: string,
): { timestampHeader?: string; timestampEntry?: string } {
  if (timestampOption === undefined) {
    if (template.some((part) => 'timestamp' in part)) {
      throw new TypeError(`${where}: signedContent uses {timestamp}, so timestamp must say where it is`)
    }
    return {}
  }
  let timestampHeader: string | undefined
  let timestampEntry: string | undefined
  if (timestampOption && 'header' in timestampOption) {
    timestampHeader = headerName(timestampOption.header, where, 'timestamp.header')
  } else if (timestampOption && 'entry' in timestampOption) {
    if (separator === undefined) throw new TypeError(`${where}: timestamp.entry needs a separator`)
    timestampEntry = nonEmptyString(timestampOption.entry, where, 'timestamp.entry')
  } else throw optionError(where, 'timestamp', '{ header } or { entry }')
  // An unsigned timestamp is one an attacker rewrites: a replayed delivery would pass the window check.
  const signed = template.some((part) => 'timestamp' in part || ('header' in part && part.header === timestampHeader))
  if (!signed) {
    throw optionError(
      where,
      'signedContent',
      'a template with {timestamp} when timestamp is set: an unsigned timestamp lets replays through',
    )
  }
  return { timestampHeader, timestampEntry }
}

/** The template filled in from the request: literal text, the raw body, the timestamp as sent, signed headers. */
export function signedContentOf(
  ctx: VerifyContext,
  template: readonly Part[],
  timestampText: string | undefined,
): (string | Uint8Array)[] {
  const signed: (string | Uint8Array)[] = []
  for (const part of template) {
    if ('literal' in part) signed.push(part.literal)
    else if ('body' in part) signed.push(ctx.body)
    else if ('timestamp' in part) signed.push(timestampText as string)
    else {
      const signedHeader = singleHeader(ctx.headers, part.header)
      if (signedHeader === undefined) {
        throw new WebhookError('invalid_signature', `signed header ${part.header} is missing`)
      }
      signed.push(signedHeader)
    }
  }
  return signed
}
