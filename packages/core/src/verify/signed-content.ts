import { WebhookError } from '../errors.js'
import { singleHeader } from '../lib/headers.js'
import { sortedFormParams } from './form-params.js'
import { headerName, nonEmptyString, optionError } from './option-checks.js'
import { requestUrl } from './request-url.js'
import type { VerifyContext } from './verifier.js'

/**
 * What a signature covers, as a template over the raw request, shared by the
 * signature verifiers (`hmacSignature`, `asymmetricSignature`): `{body}` (the raw
 * bytes), `{timestamp}` (exactly as sent) and `{header:name}`; the request's
 * `{method}`, `{path}`, `{query}` (raw, without `?`), `{url}` (as the sender saw
 * it: see request-url.ts), `{form}` (the form parameters sorted by name, as
 * Twilio signs them: see form-params.ts) and `{tenant}` (the tenant the request
 * names, for a sender that signs a URL you configured per tenant, as Square's
 * notification URL); everything else is literal text.
 * Compiled once at creation; filled in per request.
 */

/** What the request itself gives a template: `{method}`, `{path}`, `{query}`, `{url}`, `{form}`, `{tenant}`. */
export type RequestPart = 'method' | 'path' | 'query' | 'url' | 'form' | 'tenant'
const requestParts: readonly string[] = ['method', 'path', 'query', 'url', 'form', 'tenant'] satisfies RequestPart[]

/** One piece of a compiled template. */
export type Part =
  | { literal: string }
  | { body: true }
  | { timestamp: true }
  | { header: string }
  | { request: RequestPart }

const placeholder = /\{([^{}]*)\}/g

/**
 * Compiles a `signedContent` template; a template with an unknown placeholder,
 * or that signs no body (neither `{body}` nor `{form}`, unless `bodySignedElsewhere`),
 * is a `TypeError`.
 */
export function compileTemplate(template: string, where: string, bodySignedElsewhere = false): Part[] {
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
    else if (requestParts.includes(name)) {
      parts.push({ request: name as RequestPart })
      if (name === 'form') hasBody = true
    } else if (name.startsWith('header:')) {
      parts.push({ header: headerName(name.slice(7), where, `signedContent {${name}}`) })
    } else {
      throw new TypeError(
        `${where}: signedContent has an unknown placeholder {${name}}: use {body}, {timestamp}, {header:name}, {method}, {path}, {query}, {url}, {form} or {tenant}`,
      )
    }
    last = match.index + match[0].length
  }
  if (last < template.length) parts.push({ literal: template.slice(last) })
  if (!hasBody && !bodySignedElsewhere) throw optionError(where, 'signedContent', 'a template with {body} or {form}')
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

/** Whether the template signs this part of the request. */
export function templateUses(template: readonly Part[], part: RequestPart): boolean {
  return template.some((p) => 'request' in p && p.request === part)
}

/**
 * The template filled in from the request: literal text, the raw body, the
 * timestamp as sent, signed headers, the request's parts. `publicUrl` is the
 * base of `{url}`; without it, the trusted proxy's origin (see request-url.ts).
 */
export function signedContentOf(
  ctx: VerifyContext,
  template: readonly Part[],
  timestampText: string | undefined,
  publicUrl?: string,
): (string | Uint8Array)[] {
  const signed: (string | Uint8Array)[] = []
  for (const part of template) {
    if ('literal' in part) signed.push(part.literal)
    else if ('body' in part) signed.push(ctx.body)
    else if ('timestamp' in part) signed.push(timestampText as string)
    else if ('request' in part) signed.push(requestPart(ctx, part.request, publicUrl))
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

/** One of the request's own parts, as the template signs it. */
function requestPart(ctx: VerifyContext, part: RequestPart, publicUrl: string | undefined): string {
  if (part === 'method') return ctx.method
  if (part === 'path') return ctx.path ?? ''
  if (part === 'query') return ctx.query ?? ''
  if (part === 'url') return requestUrl(ctx, publicUrl)
  if (part === 'tenant') return tenantOf(ctx)
  return sortedFormParams(ctx)
}

/** The request's tenant; a request that names none cannot match a template that signs one. */
function tenantOf(ctx: VerifyContext): string {
  if (ctx.tenant === undefined) {
    throw new WebhookError('invalid_signature', 'signedContent signs {tenant}, and the request names no tenant')
  }
  return ctx.tenant
}
