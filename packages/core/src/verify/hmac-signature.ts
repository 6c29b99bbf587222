import { hmacKey, sha256 } from '#crypto'
import { WebhookError } from '../errors.js'
import type { EventField } from '../event/event-field.js'
import { joinedHeader, singleHeader } from '../lib/headers.js'
import { safeEqual } from './constant-time.js'
import type { DigestEncoding, HashAlgorithm, HmacKey } from './crypto/port.js'
import type { Keys } from './key-resolver.js'
import { compileKeys, type Keyring, randomBytes } from './keyring.js'
import {
  headerName,
  keptHeaderNames,
  nonEmptyString,
  oneOf,
  optionError,
  positiveInteger,
  positiveNumber,
  requireOptions,
} from './option-checks.js'
import { publicBaseUrl } from './request-url.js'
import { compileTemplate, type Part, signedContentOf, templateUses, timestampPlace } from './signed-content.js'
import { checkTimestamp, type TimestampUnit } from './timestamp.js'
import type { Verifier, VerifyContext, VerifyResult } from './verifier.js'

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
   * another encoding. Each may carry its window (`{ key, notBefore, notAfter }`);
   * or give a resolver (`keyResolver`, or a plain function) that looks the
   * request's tenant's secrets up.
   */
  secret: Keys<HmacSecret>
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
   * bytes), `{timestamp}` (exactly as sent), `{header:name}`, `{method}`,
   * `{path}`, `{query}` (raw, without `?`), `{url}` (the request URL as the
   * sender saw it: `publicUrl`, or a trusted proxy's origin, joined with the
   * path and query), `{form}` (the form body's parameters sorted by name,
   * each name then value, as Twilio signs them) and `{tenant}` (the tenant the
   * request names, the guard's `tenant` option); everything else is literal
   * text. It must sign the body (`{body}` or `{form}`, or `bodySha256Param`).
   * Default `{body}`.
   */
  signedContent?: string
  /**
   * The public base URL the sender calls, e.g. `https://example.com` (a base
   * path is allowed: `https://example.com/hooks` when your framework reports
   * paths below a mount point), for `{url}`: joined with the request's path
   * and raw query. Without it, `{url}` is built from the `Forwarded` or
   * `X-Forwarded-Proto`/`-Host` headers of a proxy in the guard's
   * `trustProxy`, and `createGuard` refuses to start without `trustProxy`.
   */
  publicUrl?: string
  /**
   * The query parameter of the signed URL that carries the hex SHA-256 of the
   * raw body (Twilio's `bodySHA256` on JSON requests): the body is then signed
   * through it, and `signedContent` must sign `{url}` or `{query}`. A request
   * without exactly one such parameter, or whose body does not hash to it, is
   * refused (`invalid_signature`).
   */
  bodySha256Param?: string
  /**
   * Where the signed timestamp (Unix seconds) is: its own header, or an entry
   * of the signature header such as Stripe's `t=`. `signedContent` must sign
   * it (`{timestamp}`, or `{header:name}` of the same header): an unsigned
   * timestamp is rewritten by whoever replays a delivery. Default: the scheme
   * has none, so no replay window: the digest that matched is then a second
   * dedupe key (`VerifyResult.replayKey`), and the same body re-sent under a
   * fresh id is still a duplicate. `unit`: how it is written, `seconds`
   * (default) or `ms` (Unix milliseconds, as WorkOS's `t=`).
   */
  timestamp?: ({ header: string } | { entry: string }) & { unit?: TimestampUnit }
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

/** What the factory resolved from the options, once: everything a check needs. */
interface HmacScheme {
  keys: Keyring<HmacKey>
  encoding: DigestEncoding
  /** The signature header. */
  header: string
  prefix: string
  separator: string | undefined
  template: readonly Part[]
  publicUrl: string | undefined
  bodySha256Param: string | undefined
  timestampHeader: string | undefined
  timestampEntry: string | undefined
  timestampUnit: TimestampUnit
  tolerance: number | undefined
  maxSignatures: number
}

const encoder = new TextEncoder()

function toKeyBytes(secret: unknown, where: string, option: string): Uint8Array {
  if (typeof secret === 'string' && secret.length > 0) return encoder.encode(secret)
  if (secret instanceof Uint8Array && secret.byteLength > 0) return secret.slice()
  throw optionError(where, option, 'a non-empty string or Uint8Array')
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
  requireOptions(options, 'hmacSignature')
  const where = nameOf(options)
  const algorithm = oneOf(options.algorithm, ['sha1', 'sha256', 'sha512'], where, 'algorithm')
  return hmacSignatureWith(hmacKeys(options.secret, algorithm, where, 'secret'), options)
}

/**
 * A secret option compiled for {@link hmacSignatureWith}: static secrets
 * (decoded once, now) or a resolver behind one cache. `option` names it in
 * messages (`authToken[0]`).
 */
export function hmacKeys(
  secret: Keys<HmacSecret> | undefined,
  algorithm: HashAlgorithm,
  where: string,
  option: string,
): Keyring<HmacKey> {
  return compileKeys(secret, {
    where,
    option,
    compile: (key, label) => hmacKey(algorithm, toKeyBytes(key, where, label)),
    decoy: () => hmacKey(algorithm, randomBytes(32)),
    refusal: 'invalid_signature',
  })
}

/**
 * {@link hmacSignature} over secrets already compiled by {@link hmacKeys}
 * (which fixed the algorithm): for a preset that checks one request several
 * ways (Twilio's URL with and without its default port) with one keyring, so
 * a resolver is asked once per request, or that answers a handshake with the
 * tenant's secret too (X's CRC, Zoom's URL validation).
 */
export function hmacSignatureWith(
  keys: Keyring<HmacKey>,
  options: Omit<HmacSignatureOptions, 'secret' | 'algorithm'>,
): Verifier {
  // Long for a reason: every option is checked here, once, in the order of the options' TSDoc; the
  // per-request work is in the named parts below (entries, timestamp, candidates, signed content).
  requireOptions(options, 'hmacSignature')
  const name = nameOf(options)
  const where = name
  const encoding = oneOf(options.encoding, ['hex', 'base64'], where, 'encoding')
  const header = headerName(options.header, where, 'header')
  const prefix = options.prefix ?? ''
  if (typeof prefix !== 'string') throw optionError(where, 'prefix', 'a string')
  const separator = options.separator === undefined ? undefined : nonEmptyString(options.separator, where, 'separator')
  const signedContent = options.signedContent ?? '{body}'
  if (typeof signedContent !== 'string') throw optionError(where, 'signedContent', 'a string')
  const bodySha256Param =
    options.bodySha256Param === undefined
      ? undefined
      : nonEmptyString(options.bodySha256Param, where, 'bodySha256Param')
  const template = compileTemplate(signedContent, where, bodySha256Param !== undefined)
  if (bodySha256Param !== undefined && !templateUses(template, 'url') && !templateUses(template, 'query')) {
    throw optionError(where, 'signedContent', 'a template with {url} or {query} when bodySha256Param is set')
  }
  const publicUrl = options.publicUrl === undefined ? undefined : publicBaseUrl(options.publicUrl, where, 'publicUrl')
  const signsUrl = templateUses(template, 'url')
  if (publicUrl !== undefined && !signsUrl) {
    throw optionError(where, 'signedContent', 'a template with {url} when publicUrl is set')
  }
  const { timestampHeader, timestampEntry } = timestampPlace(options.timestamp, separator, template, where)
  const timestampUnit = oneOf(options.timestamp?.unit ?? 'seconds', ['seconds', 'ms'], where, 'timestamp.unit')
  const tolerance =
    options.toleranceSeconds === undefined
      ? undefined
      : positiveNumber(options.toleranceSeconds, where, 'toleranceSeconds')
  const maxSignatures = positiveInteger(options.maxSignatures ?? 16, where, 'maxSignatures')
  const keepHeaders = keptHeaderNames(options.keepHeaders ?? [], where, 'keepHeaders', [header])

  const signedHeaders = template.flatMap((part) => ('header' in part ? [part.header] : []))
  if (timestampHeader !== undefined && template.some((part) => 'timestamp' in part)) signedHeaders.push(timestampHeader)
  const scheme: HmacScheme = {
    keys,
    encoding,
    header,
    prefix,
    separator,
    template,
    publicUrl,
    bodySha256Param,
    timestampHeader,
    timestampEntry,
    timestampUnit,
    tolerance,
    maxSignatures,
  }

  return {
    name,
    keepHeaders,
    credentialHeaders: [header],
    signs: { body: true, headers: signedHeaders },
    missingCredentialCode: 'missing_signature',
    ...(signsUrl && publicUrl === undefined ? { urlFromProxy: true } : {}),
    ...(options.eventId ? { eventId: options.eventId } : {}),
    ...(options.eventType ? { eventType: options.eventType } : {}),
    verify: (ctx) => verifyHmac(ctx, scheme),
    invalidate: (tenant) => keys.invalidate(tenant),
  }
}

/** The verifier's name, which is also where its messages say they come from. */
function nameOf(options: { name?: string }): string {
  return options.name === undefined ? 'hmac-signature' : nonEmptyString(options.name, 'hmacSignature', 'name')
}

/** The check, in the order it runs: the entries, the timestamp, the candidates, the signed content, the comparison. */
async function verifyHmac(ctx: VerifyContext, scheme: HmacScheme): Promise<VerifyResult> {
  const entries = signatureEntries(ctx, scheme)
  const timestampText = timestampTextOf(ctx, entries, scheme)
  const timestamp =
    timestampText === undefined
      ? undefined
      : checkTimestamp(timestampText, ctx.nowMs, scheme.tolerance ?? ctx.toleranceSeconds, scheme.timestampUnit)
  const candidates = candidatesOf(entries, scheme)
  const signed = signedContentOf(ctx, scheme.template, timestampText, scheme.publicUrl)
  if (scheme.bodySha256Param !== undefined) await checkBodySha256(ctx, scheme.bodySha256Param)
  return scheme.keys.use(ctx, (keys) => compare(signed, candidates, timestamp, keys, scheme))
}

/** The body hashes to the one hex SHA-256 the signed query carries in `param`. */
async function checkBodySha256(ctx: VerifyContext, param: string): Promise<void> {
  const sent = new URLSearchParams(ctx.query ?? '').getAll(param)
  if (sent.length !== 1) {
    throw new WebhookError('invalid_signature', `the query must carry one ${param} parameter, not ${sent.length}`)
  }
  const digest = await sha256(ctx.body)
  let hex = ''
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0')
  if (!safeEqual((sent[0] as string).toLowerCase(), hex)) {
    throw new WebhookError('invalid_signature', `the body does not hash to the signed ${param}`)
  }
}

/** The signature header's entries, trimmed: the whole header, or its parts between separators (repeats joined). */
function signatureEntries(ctx: VerifyContext, { header, separator }: HmacScheme): string[] {
  const value =
    separator === undefined ? singleHeader(ctx.headers, header) : joinedHeader(ctx.headers, header, separator)
  if (value === undefined || value.trim() === '')
    throw new WebhookError('missing_signature', `missing ${header} header`)
  return separator === undefined ? [value.trim()] : value.split(separator).map((entry) => entry.trim())
}

/** The timestamp exactly as sent, from its header or its one entry; undefined when the scheme has none. */
function timestampTextOf(ctx: VerifyContext, entries: readonly string[], scheme: HmacScheme): string | undefined {
  const { timestampHeader, timestampEntry } = scheme
  if (timestampHeader !== undefined) {
    const text = singleHeader(ctx.headers, timestampHeader)
    if (text === undefined) throw new WebhookError('invalid_timestamp', `missing ${timestampHeader} header`)
    return text
  }
  if (timestampEntry === undefined) return undefined
  let text: string | undefined
  for (const entry of entries) {
    if (!entry.startsWith(timestampEntry)) continue
    if (text !== undefined) {
      throw new WebhookError('invalid_timestamp', `${scheme.header} has more than one ${timestampEntry} entry`)
    }
    text = entry.slice(timestampEntry.length)
  }
  if (text === undefined) throw new WebhookError('invalid_timestamp', `${scheme.header} has no ${timestampEntry} entry`)
  return text
}

/** The digests the entries offer: the first `maxSignatures` non-empty entries (not the timestamp's) that carry the prefix. */
function candidatesOf(entries: readonly string[], scheme: HmacScheme): string[] {
  const { prefix, timestampEntry, maxSignatures } = scheme
  const candidates: string[] = []
  let inspected = 0
  for (const entry of entries) {
    if (entry === '' || (timestampEntry !== undefined && entry.startsWith(timestampEntry))) continue
    if (++inspected > maxSignatures) break
    if (entry.startsWith(prefix)) candidates.push(entry.slice(prefix.length))
  }
  if (candidates.length === 0) {
    throw new WebhookError('invalid_signature', `${scheme.header} has no ${prefix ? `${prefix} ` : ''}signature entry`)
  }
  return candidates
}

/** Each secret's digest against every candidate, as text in constant time; the first match passes. */
async function compare(
  signed: readonly (string | Uint8Array)[],
  candidates: readonly string[],
  timestamp: number | undefined,
  keys: readonly HmacKey[],
  { encoding, header }: HmacScheme,
): Promise<VerifyResult> {
  for (const key of keys) {
    const digest = await key.digest(signed, encoding)
    for (const candidate of candidates) {
      // With no signed timestamp the same bytes are valid forever: the digest is a second dedupe key.
      if (safeEqual(candidate, digest)) return timestamp === undefined ? { replayKey: { key: digest } } : { timestamp }
    }
  }
  throw new WebhookError(
    'invalid_signature',
    `none of ${candidates.length} ${header} signature entries matched ${keys.length} secret(s)`,
  )
}
