import { hmacKey } from '#crypto'
import { safeEqual } from '../constant-time.js'
import type { DigestEncoding, HashAlgorithm, HmacKey } from '../crypto/port.js'
import { WebhookError } from '../errors.js'
import type { EventField } from '../event-field.js'
import { joinedHeader, singleHeader } from '../headers.js'
import { checkTimestamp } from '../timestamp.js'
import type { Verifier, VerifyContext, VerifyResult } from '../verifier.js'

/** A secret: a string (its UTF-8 bytes are the key) or the raw key bytes. */
export type HmacSecret = string | Uint8Array

/** Options for {@link hmacSignature}: a description of how a sender signs. */
export interface HmacSignatureOptions {
  /** The verifier's name in logs and on `event.auth`. Default `hmac-signature`. */
  name?: string
  /**
   * The shared secret, or several during a rotation: a signature made with any
   * of them passes. A string is used as its UTF-8 bytes, as most senders do
   * (Stripe's `whsec_…` included); pass a `Uint8Array` for a key given in
   * another encoding.
   */
  secret: HmacSecret | readonly HmacSecret[]
  /** The header that carries the signature, e.g. `x-hub-signature-256`. */
  header: string
  /** The HMAC hash function. */
  algorithm: HashAlgorithm
  /**
   * How the digest is written: `hex` (lower-case) or `base64` (standard
   * alphabet, padded). Compared as text, exactly.
   */
  encoding: DigestEncoding
  /**
   * What stands before the digest in a signature entry, e.g. `sha256=`,
   * `v0=` or `v1=`. Entries without it are ignored (Stripe's `v0=` and `t=`).
   * Default: none.
   */
  prefix?: string
  /**
   * Splits the header into entries, e.g. `,` for Stripe's `t=…,v1=…,v1=…`.
   * Entries are trimmed. A repeated header is read as one list. Default: the
   * whole header is one entry, and a repeated header is rejected.
   */
  separator?: string
  /**
   * What was signed, as a template over the raw request: `{body}` (the raw
   * bytes), `{timestamp}` (exactly as sent) and `{header:name}`; everything
   * else is literal text. Default `{body}`.
   */
  signedContent?: string
  /**
   * Where the signed timestamp (Unix seconds) is: its own header, or an entry
   * of the signature header such as Stripe's `t=`. Default: the scheme has
   * none (and no replay window).
   */
  timestamp?: { header: string } | { entry: string }
  /** Allowed clock difference in seconds, both directions. Default: the guard's (300). */
  toleranceSeconds?: number
  /** Signature entries inspected at most. Default 16. */
  maxSignatures?: number
  /** Where this sender puts the event id, e.g. `{ header: 'x-github-delivery' }`. */
  eventId?: EventField
  /** Where this sender puts the event type, e.g. `{ payload: 'type' }`. */
  eventType?: EventField
  /** Header names worth keeping on the event (never the signature). */
  keepHeaders?: readonly string[]
}

type Part = { literal: string } | { body: true } | { timestamp: true } | { header: string }

const placeholder = /\{([^{}]*)\}/g
const headerName = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/
const encoder = new TextEncoder()

function compileTemplate(template: string, option: string): Part[] {
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
    else if (name.startsWith('header:') && headerName.test(name.slice(7).toLowerCase())) {
      parts.push({ header: name.slice(7).toLowerCase() })
    } else
      throw new TypeError(`${option} has an unknown placeholder {${name}}: use {body}, {timestamp} or {header:name}`)
    last = match.index + match[0].length
  }
  if (last < template.length) parts.push({ literal: template.slice(last) })
  if (!hasBody) throw new TypeError(`${option} must contain {body}`)
  return parts
}

function requireHeaderName(value: unknown, option: string): string {
  if (typeof value !== 'string' || !headerName.test(value.toLowerCase())) {
    throw new TypeError(`${option} must be a header name`)
  }
  return value.toLowerCase()
}

function toKeyBytes(secret: unknown, option: string): Uint8Array {
  if (typeof secret === 'string' && secret.length > 0) return encoder.encode(secret)
  if (secret instanceof Uint8Array && secret.byteLength > 0) return secret.slice()
  throw new TypeError(`${option} must be a non-empty string or Uint8Array`)
}

/**
 * Verifies an HMAC signature over the raw body, described declaratively, so a
 * sender hookguard does not ship can be described in a few lines. The shipped
 * presets (`stripe`, `github`, `slack`, `shopify`) are built on it. Secrets are
 * decoded once; the signature is compared as encoded text in constant time,
 * never decoded leniently.
 *
 * @example
 * ```ts
 * // A sender that puts `X-Acme-Signature: t=1700000000,sig=<hex HMAC-SHA256 of "t.body">`
 * const acme = hmacSignature({
 *   name: 'acme',
 *   secret: process.env.ACME_SECRET!,
 *   header: 'x-acme-signature',
 *   algorithm: 'sha256',
 *   encoding: 'hex',
 *   separator: ',',
 *   prefix: 'sig=',
 *   timestamp: { entry: 't=' },
 *   signedContent: '{timestamp}.{body}',
 *   eventId: { header: 'x-acme-delivery' },
 * })
 * const guard = createGuard({ verify: [acme], enqueue: async (event) => queue.add(event) })
 * ```
 */
export function hmacSignature(options: HmacSignatureOptions): Verifier {
  if (!options || typeof options !== 'object') throw new TypeError('hmacSignature needs an options object')
  const name = options.name ?? 'hmac-signature'
  if (typeof name !== 'string' || name.length === 0)
    throw new TypeError('hmacSignature: name must be a non-empty string')
  const where = `${name}:`
  const secrets = Array.isArray(options.secret) ? options.secret : [options.secret]
  if (secrets.length === 0) throw new TypeError(`${where} secret must not be an empty array`)
  if (!['sha1', 'sha256', 'sha512'].includes(options.algorithm)) {
    throw new TypeError(`${where} algorithm must be 'sha1', 'sha256' or 'sha512'`)
  }
  if (options.encoding !== 'hex' && options.encoding !== 'base64') {
    throw new TypeError(`${where} encoding must be 'hex' or 'base64'`)
  }
  const keys: HmacKey[] = secrets.map((s, i) => hmacKey(options.algorithm, toKeyBytes(s, `${where} secret[${i}]`)))
  const header = requireHeaderName(options.header, `${where} header`)
  const { encoding } = options
  const prefix = options.prefix ?? ''
  if (typeof prefix !== 'string') throw new TypeError(`${where} prefix must be a string`)
  const separator = options.separator
  if (separator !== undefined && (typeof separator !== 'string' || separator.length === 0)) {
    throw new TypeError(`${where} separator must be a non-empty string`)
  }
  const template = compileTemplate(options.signedContent ?? '{body}', `${where} signedContent`)
  const timestampOption = options.timestamp
  let timestampHeader: string | undefined
  let timestampEntry: string | undefined
  if (timestampOption !== undefined) {
    if (timestampOption && 'header' in timestampOption) {
      timestampHeader = requireHeaderName(timestampOption.header, `${where} timestamp.header`)
    } else if (timestampOption && 'entry' in timestampOption && typeof timestampOption.entry === 'string') {
      if (separator === undefined) throw new TypeError(`${where} timestamp.entry needs a separator`)
      if (timestampOption.entry.length === 0) throw new TypeError(`${where} timestamp.entry must not be empty`)
      timestampEntry = timestampOption.entry
    } else throw new TypeError(`${where} timestamp must be { header } or { entry }`)
  }
  if (timestampOption === undefined && template.some((part) => 'timestamp' in part)) {
    throw new TypeError(`${where} signedContent uses {timestamp}, so timestamp must say where it is`)
  }
  const tolerance = options.toleranceSeconds
  if (tolerance !== undefined && (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance <= 0)) {
    throw new TypeError(`${where} toleranceSeconds must be a positive number`)
  }
  const maxSignatures = options.maxSignatures ?? 16
  if (!Number.isInteger(maxSignatures) || maxSignatures <= 0) {
    throw new TypeError(`${where} maxSignatures must be a positive integer`)
  }
  const keepHeaders = (options.keepHeaders ?? []).map((h, i) => requireHeaderName(h, `${where} keepHeaders[${i}]`))
  if (keepHeaders.includes(header)) throw new TypeError(`${where} keepHeaders must not keep the signature header`)

  return {
    name,
    keepHeaders,
    credentialHeaders: [header],
    missingCredentialCode: 'missing_signature',
    ...(options.eventId ? { eventId: options.eventId } : {}),
    ...(options.eventType ? { eventType: options.eventType } : {}),
    async verify(ctx: VerifyContext): Promise<VerifyResult> {
      const value =
        separator === undefined ? singleHeader(ctx.headers, header) : joinedHeader(ctx.headers, header, separator)
      if (value === undefined || value.trim() === '')
        throw new WebhookError('missing_signature', `missing ${header} header`)
      const entries = separator === undefined ? [value.trim()] : value.split(separator).map((entry) => entry.trim())

      let timestampText: string | undefined
      if (timestampHeader !== undefined) {
        timestampText = singleHeader(ctx.headers, timestampHeader)
        if (timestampText === undefined)
          throw new WebhookError('invalid_timestamp', `missing ${timestampHeader} header`)
      } else if (timestampEntry !== undefined) {
        for (const entry of entries) {
          if (!entry.startsWith(timestampEntry)) continue
          if (timestampText !== undefined) {
            throw new WebhookError('invalid_timestamp', `${header} has more than one ${timestampEntry} entry`)
          }
          timestampText = entry.slice(timestampEntry.length)
        }
        if (timestampText === undefined)
          throw new WebhookError('invalid_timestamp', `${header} has no ${timestampEntry} entry`)
      }
      const timestamp =
        timestampText === undefined
          ? undefined
          : checkTimestamp(timestampText, ctx.nowMs, tolerance ?? ctx.toleranceSeconds)

      const candidates: string[] = []
      let inspected = 0
      for (const entry of entries) {
        if (entry === '' || (timestampEntry !== undefined && entry.startsWith(timestampEntry))) continue
        if (++inspected > maxSignatures) break
        if (entry.startsWith(prefix)) candidates.push(entry.slice(prefix.length))
      }
      if (candidates.length === 0) {
        throw new WebhookError('invalid_signature', `${header} has no ${prefix ? `${prefix} ` : ''}signature entry`)
      }

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
      for (const key of keys) {
        const digest = await key.digest(signed, encoding)
        for (const candidate of candidates) {
          if (safeEqual(candidate, digest)) return timestamp === undefined ? {} : { timestamp }
        }
      }
      throw new WebhookError(
        'invalid_signature',
        `none of ${candidates.length} ${header} signature entries matched ${keys.length} secret(s)`,
      )
    },
  }
}
