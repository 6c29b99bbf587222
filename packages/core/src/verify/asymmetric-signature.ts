import { base64Encode, sha256, signatureKey } from '#crypto'
import { WebhookError } from '../errors.js'
import type { EventField } from '../event/event-field.js'
import { concatBytes } from '../lib/bytes.js'
import { singleHeader } from '../lib/headers.js'
import { type CertificateKeys, type CertificateUrlOptions, certificateKeys } from './certificate-keys.js'
import type { EcdsaSignatureFormat, PublicKeyInput, SignatureAlgorithm, SignatureKey } from './crypto/port.js'
import { decoyPublicKeys } from './decoy-keys.js'
import type { Keys } from './key-resolver.js'
import { compileKeys, emptyKeyring, type Keyring } from './keyring.js'
import {
  headerName,
  keptHeaderNames,
  nonEmptyString,
  oneOf,
  oneOrMore,
  optionError,
  positiveNumber,
  requireOptions,
} from './option-checks.js'
import { compileTemplate, type Part, signedContentOf, timestampPlace } from './signed-content.js'
import { checkTimestamp, type TimestampUnit } from './timestamp.js'
import type { Verifier, VerifyContext, VerifyResult } from './verifier.js'

/** Options for {@link asymmetricSignature}: a description of how a sender signs with its private key. */
export interface AsymmetricSignatureOptions {
  /** The verifier's name in logs and on `event.auth`. Default `asymmetric-signature`. */
  name?: string
  /**
   * The sender's public key, PEM (SPKI, `-----BEGIN PUBLIC KEY-----`) or a
   * public JWK, or up to 4 during a rotation (each may carry its window,
   * `{ key, notBefore, notAfter }`). Imported once, at creation, for each of
   * the `algorithm`s. Or a resolver (`keyResolver`, or a plain function) that
   * looks the tenant's keys up; each is imported once per lookup. Give this or
   * `certificateUrl`.
   */
  publicKey?: Keys<PublicKeyInput>
  /**
   * Instead of `publicKey`: the key is in an X.509 certificate at a URL the
   * request names (in `header`, or in what `signedMessage` returns), fetched
   * only from `hosts`, over `https:`, cached per URL (see
   * {@link CertificateUrlOptions}). A URL not allowed is 401
   * `invalid_signature`; a fetch that fails or times out is 503
   * `keys_unavailable` (with `Retry-After`), so the sender retries.
   */
  certificateUrl?: CertificateUrlOptions & { header?: string }
  /**
   * `ed25519`, `ecdsa-p256-sha256`, `rsa-pkcs1-sha256`, `rsa-pss-sha256` (salt
   * length 32) or `rsa-pkcs1-sha1`. With `signedMessage`, a list: the message
   * says which of them it was signed with.
   */
  algorithm: SignatureAlgorithm | readonly SignatureAlgorithm[]
  /** The header that carries the signature (one per request). Not used with `signedMessage`. */
  header?: string
  /**
   * For a sender that signs a message built from the body rather than the raw
   * request (AWS SNS): reads the signature, what was signed, and (when the
   * sender says) the algorithm, certificate URL, timestamp, id and type from
   * the request. It throws a `WebhookError` for a request that is not such a
   * message. Replaces `header`, `signedContent` and `timestamp`.
   */
  signedMessage?: (ctx: VerifyContext) => SignedMessage
  /** How the signature bytes are written: `base64` (standard alphabet, padded) or `hex`. */
  encoding: 'base64' | 'hex'
  /** ECDSA only: `der` (ASN.1, default) or `raw` (`r || s`, IEEE P1363). */
  signatureFormat?: EcdsaSignatureFormat
  /** What was signed, as in `hmacSignature`: `{body}`, `{timestamp}`, `{header:name}`. Default `{body}`. */
  signedContent?: string
  /**
   * The header with the signed timestamp (Unix seconds, or `unit: 'ms'`);
   * `signedContent` must sign it. Default: none, so no replay window: the
   * hash of what was signed is then a second dedupe key (`VerifyResult.replayKey`).
   */
  timestamp?: { header: string; unit?: TimestampUnit }
  /** Allowed clock difference in seconds, both directions. Default: the guard's (300). */
  toleranceSeconds?: number
  /** Where this sender puts the event id. */
  eventId?: EventField
  /** Where this sender puts the event type. */
  eventType?: EventField
  /** Header names worth keeping on the event (never the signature). */
  keepHeaders?: readonly string[]
}

/** What {@link AsymmetricSignatureOptions.signedMessage} read from a request. */
export interface SignedMessage {
  /** The signature as sent, in the verifier's `encoding`. */
  signature: string
  /** What was signed (strings as UTF-8). */
  signed: readonly (string | Uint8Array)[]
  /** Which of the verifier's algorithms signed it. Default: the first. */
  algorithm?: SignatureAlgorithm
  /** Where the signing certificate is (with `certificateUrl`). */
  certificateUrl?: string
  /** The signed timestamp, in Unix milliseconds, checked against the window; absent: none is signed. */
  timestampMs?: number
  /** The event id and type, when the signed message carries them. */
  id?: string
  type?: string
}

/** Keys checked per request at most: one signature against each configured key. */
const maxKeys = 4

/** What the factory resolved from the options, once. */
interface AsymmetricScheme {
  algorithms: readonly SignatureAlgorithm[]
  /**
   * The configured keys (static or a tenant's), each imported once for every
   * algorithm; no keys with `certificateUrl`.
   */
  keys: Keyring<ImportedKey>
  certificates: CertificateKeys | undefined
  certificateHeader: string | undefined
  encoding: 'base64' | 'hex'
  tolerance: number | undefined
  /** How the signed message is read from the request: the options' `signedMessage`, or from headers. */
  read: (ctx: VerifyContext) => Located
}

/** A signed message found in a request, with its timestamp checked when it has one. */
type Located = SignedMessage & { header: string; timestamp?: number }

const allAlgorithms: readonly SignatureAlgorithm[] = [
  'ed25519',
  'ecdsa-p256-sha256',
  'rsa-pkcs1-sha256',
  'rsa-pss-sha256',
  'rsa-pkcs1-sha1',
]

const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const hexPattern = /^(?:[0-9a-fA-F]{2})+$/

/**
 * Verifies a signature made with the sender's private key (Ed25519, ECDSA
 * P-256, RSA PKCS#1 v1.5 or PSS, over SHA-256; RSA PKCS#1 v1.5 over SHA-1),
 * so the receiver holds no secret. The signed content is described as for
 * `hmacSignature`. Keys are imported once; a request costs one check per
 * configured key (at most 4), whatever it carries. Or the key comes from an
 * X.509 certificate at a URL the request names (`certificateUrl`): fetched
 * only from allowed hosts, cached per URL, one fetch per URL at a time; a
 * sender that signs a message built from its body (AWS SNS) describes it with
 * `signedMessage`.
 *
 * @example
 * ```ts
 * // X-Acme-Signature: base64 of an ECDSA P-256 (DER) signature of "<X-Acme-Timestamp><body>"
 * const acme = asymmetricSignature({
 *   name: 'acme',
 *   publicKey: process.env.ACME_PUBLIC_KEY_PEM!,
 *   algorithm: 'ecdsa-p256-sha256',
 *   header: 'x-acme-signature',
 *   encoding: 'base64',
 *   timestamp: { header: 'x-acme-timestamp' },
 *   signedContent: '{timestamp}{body}',
 * })
 *
 * // The key in a certificate the request names in X-Acme-Cert-Url, fetched from certs.acme.example only.
 * const fetched = asymmetricSignature({
 *   name: 'acme',
 *   algorithm: 'rsa-pkcs1-sha256',
 *   header: 'x-acme-signature',
 *   encoding: 'base64',
 *   certificateUrl: { header: 'x-acme-cert-url', hosts: ['certs.acme.example'] },
 * })
 * ```
 */
export function asymmetricSignature(options: AsymmetricSignatureOptions): Verifier {
  // Long for a reason: every option is checked here, once, in the order of the options' TSDoc; the
  // per-request work is in verifyAsymmetric and its parts below.
  requireOptions(options, 'asymmetricSignature')
  const name =
    options.name === undefined ? 'asymmetric-signature' : nonEmptyString(options.name, 'asymmetricSignature', 'name')
  const where = name
  const message = options.signedMessage
  if (message !== undefined && typeof message !== 'function') throw optionError(where, 'signedMessage', 'a function')
  const algorithmList = oneOrMore(options.algorithm, where, 'algorithm')
  if (message === undefined && algorithmList.length > 1) {
    throw optionError(where, 'algorithm', 'one algorithm (a list needs signedMessage to say which)')
  }
  const algorithms = algorithmList.map((algorithm, i) =>
    oneOf(algorithm, allAlgorithms, where, algorithmList.length > 1 ? `algorithm[${i}]` : 'algorithm'),
  )
  const encoding = oneOf(options.encoding, ['base64', 'hex'], where, 'encoding')
  const format = oneOf(options.signatureFormat ?? 'der', ['der', 'raw'], where, 'signatureFormat')
  if ((options.publicKey === undefined) === (options.certificateUrl === undefined)) {
    throw optionError(where, 'publicKey', 'given, or certificateUrl instead (one of the two)')
  }
  const keys: Keyring<ImportedKey> =
    options.publicKey === undefined
      ? emptyKeyring
      : compileKeys(options.publicKey, {
          where,
          option: 'publicKey',
          compile: (input, label) => importKey(input, algorithms, format, where, label),
          decoy: () => importKey((algorithm) => decoyKeys[algorithm], algorithms, format, where, 'decoy'),
          refusal: 'invalid_signature',
          maxKeys,
        })
  const certificates = options.certificateUrl && certificateKeys(options.certificateUrl, where)
  const certificateHeader =
    options.certificateUrl?.header === undefined
      ? undefined
      : headerName(options.certificateUrl.header, where, 'certificateUrl.header')
  const tolerance =
    options.toleranceSeconds === undefined
      ? undefined
      : positiveNumber(options.toleranceSeconds, where, 'toleranceSeconds')
  const shared = { algorithms, keys, certificates, certificateHeader, encoding, tolerance }
  if (message !== undefined) {
    const scheme: AsymmetricScheme = {
      ...shared,
      read: (ctx) => ({ ...message(ctx), header: `${name} signature` }),
    }
    return {
      name,
      keepHeaders: keptHeaderNames(options.keepHeaders ?? [], where, 'keepHeaders', []),
      signs: { body: true, headers: [] },
      ...(options.eventId ? { eventId: options.eventId } : {}),
      ...(options.eventType ? { eventType: options.eventType } : {}),
      verify: (ctx) => verifyAsymmetric(ctx, scheme),
      invalidate: (tenant) => keys.invalidate(tenant),
    }
  }
  const header = headerName(options.header, where, 'header')
  const signedContent = options.signedContent ?? '{body}'
  if (typeof signedContent !== 'string') throw optionError(where, 'signedContent', 'a string')
  const template = compileTemplate(signedContent, where)
  if (options.timestamp !== undefined && !('header' in Object(options.timestamp))) {
    throw optionError(where, 'timestamp', '{ header }')
  }
  const { timestampHeader } = timestampPlace(options.timestamp, undefined, template, where)
  const timestampUnit = oneOf(options.timestamp?.unit ?? 'seconds', ['seconds', 'ms'], where, 'timestamp.unit')
  const keepHeaders = keptHeaderNames(options.keepHeaders ?? [], where, 'keepHeaders', [header])
  const signedHeaders = template.flatMap((part) => ('header' in part ? [part.header] : []))
  if (timestampHeader !== undefined && template.some((part) => 'timestamp' in part)) signedHeaders.push(timestampHeader)
  const fromHeaders: HeaderScheme = { header, template, timestampHeader, timestampUnit, certificateHeader, tolerance }
  const scheme: AsymmetricScheme = { ...shared, read: (ctx) => messageFromHeaders(ctx, fromHeaders) }

  return {
    name,
    keepHeaders,
    credentialHeaders: [header],
    signs: { body: true, headers: signedHeaders },
    missingCredentialCode: 'missing_signature',
    ...(options.eventId ? { eventId: options.eventId } : {}),
    ...(options.eventType ? { eventType: options.eventType } : {}),
    verify: (ctx) => verifyAsymmetric(ctx, scheme),
    invalidate: (tenant) => keys.invalidate(tenant),
  }
}

/** One public key, imported once for each algorithm (`algorithm` may be a list, with `signedMessage`). */
type ImportedKey = ReadonlyMap<SignatureAlgorithm, SignatureKey>

/** A public key imported for every configured algorithm; one that does not fit one of them is a `TypeError`. */
function importKey(
  input: PublicKeyInput | ((algorithm: SignatureAlgorithm) => PublicKeyInput),
  algorithms: readonly SignatureAlgorithm[],
  format: EcdsaSignatureFormat,
  where: string,
  label: string,
): ImportedKey {
  const imported = new Map<SignatureAlgorithm, SignatureKey>()
  for (const algorithm of algorithms) {
    try {
      imported.set(algorithm, signatureKey(algorithm, typeof input === 'function' ? input(algorithm) : input, format))
    } catch (error) {
      throw optionError(where, label, `a ${algorithm} public key (${(error as Error).message})`)
    }
  }
  return imported
}

/** Where a header-signing sender puts its signature, timestamp and (maybe) certificate URL. */
interface HeaderScheme {
  header: string
  template: readonly Part[]
  timestampHeader: string | undefined
  timestampUnit: TimestampUnit
  certificateHeader: string | undefined
  tolerance: number | undefined
}

/** The signed message of a sender that signs the raw request: the signature header, the timestamp, the template. */
function messageFromHeaders(ctx: VerifyContext, scheme: HeaderScheme): Located {
  const { header, timestampHeader, certificateHeader } = scheme
  const text = singleHeader(ctx.headers, header)?.trim()
  if (text === undefined || text === '') throw new WebhookError('missing_signature', `missing ${header} header`)
  let timestampText: string | undefined
  let timestamp: number | undefined
  if (timestampHeader !== undefined) {
    timestampText = singleHeader(ctx.headers, timestampHeader)
    if (timestampText === undefined) throw new WebhookError('invalid_timestamp', `missing ${timestampHeader} header`)
    const tolerance = scheme.tolerance ?? ctx.toleranceSeconds
    timestamp = checkTimestamp(timestampText, ctx.nowMs, tolerance, scheme.timestampUnit)
  }
  const located: Located = { header, signature: text, signed: signedContentOf(ctx, scheme.template, timestampText) }
  if (timestamp !== undefined) located.timestamp = timestamp
  if (certificateHeader !== undefined) {
    const url = singleHeader(ctx.headers, certificateHeader)
    if (url === undefined) throw new WebhookError('missing_signature', `missing ${certificateHeader} header`)
    located.certificateUrl = url
  }
  return located
}

/** The check, in the order it runs: the signed message (its timestamp first), then each key. */
async function verifyAsymmetric(ctx: VerifyContext, scheme: AsymmetricScheme): Promise<VerifyResult> {
  const message = scheme.read(ctx)
  const { header } = message
  const signature = decodeSignature(message.signature, scheme.encoding)
  if (signature === undefined) throw new WebhookError('invalid_signature', `${header} is not ${scheme.encoding}`)
  let timestamp = message.timestamp
  if (message.timestampMs !== undefined) {
    const tolerance = scheme.tolerance ?? ctx.toleranceSeconds
    timestamp = checkTimestamp(String(Math.trunc(message.timestampMs)), ctx.nowMs, tolerance, 'ms')
  }
  const algorithm = message.algorithm ?? (scheme.algorithms[0] as SignatureAlgorithm)
  if (!scheme.algorithms.includes(algorithm)) {
    throw new WebhookError('invalid_signature', `${header} uses ${algorithm}, which is not configured`)
  }
  if (scheme.certificates !== undefined) {
    const key = await certificateKey(scheme.certificates, algorithm, message)
    return checkKeys([key], message, signature, timestamp)
  }
  return await scheme.keys.use(ctx, (imported) =>
    checkKeys(
      imported.map((key) => key.get(algorithm) as SignatureKey),
      message,
      signature,
      timestamp,
    ),
  )
}

/** The signature against each key in turn; the first that verifies it passes. */
async function checkKeys(
  keys: readonly SignatureKey[],
  message: Located,
  signature: Uint8Array,
  timestamp: number | undefined,
): Promise<VerifyResult> {
  for (const key of keys) {
    if (await key.verify(message.signed, signature)) {
      const named = {
        ...(message.id === undefined ? {} : { id: message.id }),
        ...(message.type === undefined ? {} : { type: message.type }),
      }
      // With no signed timestamp the same bytes are valid forever: what was signed is a second dedupe key
      // (its hash, not the signature, which can be re-encoded: an ECDSA signature has two valid forms).
      return timestamp === undefined
        ? { ...named, replayKey: { key: await contentKey(message.signed) } }
        : { ...named, timestamp }
    }
  }
  throw new WebhookError('invalid_signature', `${message.header} matched none of ${keys.length} public key(s)`)
}

/** The key in the certificate the message names. */
async function certificateKey(
  certificates: CertificateKeys,
  algorithm: SignatureAlgorithm,
  message: Located,
): Promise<SignatureKey> {
  if (message.certificateUrl === undefined) {
    throw new WebhookError('missing_signature', `${message.header} names no certificate URL`)
  }
  return await certificates.key(message.certificateUrl, algorithm)
}

/** The decoy key of each algorithm, for an unknown tenant's request (see {@link decoyPublicKeys}). */
const decoyKeys: Record<SignatureAlgorithm, string> = {
  ed25519: decoyPublicKeys.ed25519,
  'ecdsa-p256-sha256': decoyPublicKeys.p256,
  'rsa-pkcs1-sha256': decoyPublicKeys.rsa,
  'rsa-pss-sha256': decoyPublicKeys.rsa,
  'rsa-pkcs1-sha1': decoyPublicKeys.rsa,
}

const encoder = new TextEncoder()

/** The base64 SHA-256 of the signed content. */
async function contentKey(signed: readonly (string | Uint8Array)[]): Promise<string> {
  const bytes = concatBytes(signed.map((part) => (typeof part === 'string' ? encoder.encode(part) : part)))
  return base64Encode(await sha256(bytes))
}

/** The signature's bytes, strictly decoded; undefined when the text is not in the encoding. */
function decodeSignature(text: string, encoding: 'base64' | 'hex'): Uint8Array | undefined {
  if (encoding === 'hex') {
    if (!hexPattern.test(text)) return undefined
    return Uint8Array.from(text.match(/../g) as string[], (pair) => Number.parseInt(pair, 16))
  }
  if (!base64Pattern.test(text)) return undefined
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0))
}
