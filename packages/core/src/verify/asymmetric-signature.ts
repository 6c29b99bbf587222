import { base64Encode, sha256, signatureKey } from '#crypto'
import { WebhookError } from '../errors.js'
import type { EventField } from '../event/event-field.js'
import { concatBytes } from '../lib/bytes.js'
import { singleHeader } from '../lib/headers.js'
import type { EcdsaSignatureFormat, PublicKeyInput, SignatureAlgorithm, SignatureKey } from './crypto/port.js'
import { decoyPublicKeys } from './decoy-keys.js'
import type { Keys } from './key-resolver.js'
import { compileKeys, type Keyring } from './keyring.js'
import {
  headerName,
  keptHeaderNames,
  nonEmptyString,
  oneOf,
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
   * `{ key, notBefore, notAfter }`). Imported once, at creation. Or a resolver
   * (`keyResolver`, or a plain function) that looks the tenant's keys up; each
   * is imported once per lookup.
   */
  publicKey: Keys<PublicKeyInput>
  /** `ed25519`, `ecdsa-p256-sha256`, `rsa-pkcs1-sha256` or `rsa-pss-sha256` (salt length 32). */
  algorithm: SignatureAlgorithm
  /** The header that carries the signature (one per request). */
  header: string
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

/** Keys checked per request at most: one signature against each configured key. */
const maxKeys = 4

/** What the factory resolved from the options, once. */
interface AsymmetricScheme {
  keys: Keyring<SignatureKey>
  header: string
  encoding: 'base64' | 'hex'
  template: readonly Part[]
  timestampHeader: string | undefined
  timestampUnit: TimestampUnit
  tolerance: number | undefined
}

const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const hexPattern = /^(?:[0-9a-fA-F]{2})+$/

/**
 * Verifies a signature made with the sender's private key (Ed25519, ECDSA
 * P-256, RSA PKCS#1 v1.5 or PSS, over SHA-256), so the receiver holds no
 * secret. The signed content is described as for `hmacSignature`. Keys are
 * imported once; a request costs one check per configured key (at most 4),
 * whatever it carries.
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
 * ```
 */
export function asymmetricSignature(options: AsymmetricSignatureOptions): Verifier {
  requireOptions(options, 'asymmetricSignature')
  const name =
    options.name === undefined ? 'asymmetric-signature' : nonEmptyString(options.name, 'asymmetricSignature', 'name')
  const where = name
  const algorithm = oneOf(
    options.algorithm,
    ['ed25519', 'ecdsa-p256-sha256', 'rsa-pkcs1-sha256', 'rsa-pss-sha256'],
    where,
    'algorithm',
  )
  const encoding = oneOf(options.encoding, ['base64', 'hex'], where, 'encoding')
  const format = oneOf(options.signatureFormat ?? 'der', ['der', 'raw'], where, 'signatureFormat')
  const keys = compileKeys(options.publicKey, {
    where,
    option: 'publicKey',
    compile: (input, label) => {
      try {
        return signatureKey(algorithm, input, format)
      } catch (error) {
        throw optionError(where, label, `a ${algorithm} public key (${(error as Error).message})`)
      }
    },
    decoy: () => signatureKey(algorithm, decoyFor[algorithm], format),
    refusal: 'invalid_signature',
    maxKeys,
  })
  const header = headerName(options.header, where, 'header')
  const signedContent = options.signedContent ?? '{body}'
  if (typeof signedContent !== 'string') throw optionError(where, 'signedContent', 'a string')
  const template = compileTemplate(signedContent, where)
  if (options.timestamp !== undefined && !('header' in Object(options.timestamp))) {
    throw optionError(where, 'timestamp', '{ header }')
  }
  const { timestampHeader } = timestampPlace(options.timestamp, undefined, template, where)
  const timestampUnit = oneOf(options.timestamp?.unit ?? 'seconds', ['seconds', 'ms'], where, 'timestamp.unit')
  const tolerance =
    options.toleranceSeconds === undefined
      ? undefined
      : positiveNumber(options.toleranceSeconds, where, 'toleranceSeconds')
  const keepHeaders = keptHeaderNames(options.keepHeaders ?? [], where, 'keepHeaders', [header])
  const signedHeaders = template.flatMap((part) => ('header' in part ? [part.header] : []))
  if (timestampHeader !== undefined && template.some((part) => 'timestamp' in part)) signedHeaders.push(timestampHeader)
  const scheme: AsymmetricScheme = { keys, header, encoding, template, timestampHeader, timestampUnit, tolerance }

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

/** The check, in the order it runs: the signature, the timestamp, the signed content, each key. */
async function verifyAsymmetric(ctx: VerifyContext, scheme: AsymmetricScheme): Promise<VerifyResult> {
  const { header, timestampHeader } = scheme
  const text = singleHeader(ctx.headers, header)?.trim()
  if (text === undefined || text === '') throw new WebhookError('missing_signature', `missing ${header} header`)
  const signature = decodeSignature(text, scheme.encoding)
  if (signature === undefined) throw new WebhookError('invalid_signature', `${header} is not ${scheme.encoding}`)
  let timestampText: string | undefined
  let timestamp: number | undefined
  if (timestampHeader !== undefined) {
    timestampText = singleHeader(ctx.headers, timestampHeader)
    if (timestampText === undefined) throw new WebhookError('invalid_timestamp', `missing ${timestampHeader} header`)
    const tolerance = scheme.tolerance ?? ctx.toleranceSeconds
    timestamp = checkTimestamp(timestampText, ctx.nowMs, tolerance, scheme.timestampUnit)
  }
  const signed = signedContentOf(ctx, scheme.template, timestampText)
  return await scheme.keys.use(ctx, async (keys) => {
    for (const key of keys) {
      if (await key.verify(signed, signature)) {
        // With no signed timestamp the same bytes are valid forever: what was signed is a second dedupe key
        // (its hash, not the signature, which can be re-encoded: an ECDSA signature has two valid forms).
        return timestamp === undefined ? { replayKey: { key: await contentKey(signed) } } : { timestamp }
      }
    }
    throw new WebhookError('invalid_signature', `${header} matched none of ${keys.length} public key(s)`)
  })
}

/** The decoy key of each algorithm (see {@link decoyPublicKeys}). */
const decoyFor: Record<SignatureAlgorithm, string> = {
  ed25519: decoyPublicKeys.ed25519,
  'ecdsa-p256-sha256': decoyPublicKeys.p256,
  'rsa-pkcs1-sha256': decoyPublicKeys.rsa,
  'rsa-pss-sha256': decoyPublicKeys.rsa,
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
