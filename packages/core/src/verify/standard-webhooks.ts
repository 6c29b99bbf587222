import { base64Decode, ed25519PublicKey, hmacKey } from '#crypto'
import { carries } from '../admit/credential-check.js'
import { WebhookError } from '../errors.js'
import { joinedHeader, singleHeader } from '../lib/headers.js'
import type { MaybePromise } from '../lib/maybe-promise.js'
import type { Ed25519PublicKey, HmacKey } from './crypto/port.js'
import type { Keys } from './key-resolver.js'
import { compileKeys, emptyKeyring, type Keyring, randomBytes } from './keyring.js'
import { positiveInteger, positiveNumber, requireOptions } from './option-checks.js'
import { diagnoseSignature, rateGate } from './signature-diagnosis.js'
import { SignatureList, signatureEntries } from './signature-list.js'
import { checkTimestamp } from './timestamp.js'
import type { Verifier, VerifyContext, VerifyResult } from './verifier.js'

/** Options for {@link standardWebhooks}. */
export interface StandardWebhooksOptions {
  /**
   * The endpoint's signing secret (`whsec_…` or bare base64), or several
   * during a rotation: a signature made with any of them passes. Checks the
   * symmetric `v1` signatures. Give `secret`, `publicKey`, or both. Each may
   * carry its window (`{ key, notBefore, notAfter }`), or give a resolver
   * (`keyResolver`, or a plain function) that looks the tenant's secrets up.
   */
  secret?: Keys<string>
  /**
   * The sender's Ed25519 public key (`whpk_…`: base64 of the 32 raw bytes), or
   * several during a rotation, or a resolver. Checks the asymmetric `v1a` signatures.
   */
  publicKey?: Keys<string>
  /** Allowed clock difference in seconds, both directions. Default: the guard's (300). */
  toleranceSeconds?: number
  /** Signature entries inspected at most. Default 16. */
  maxSignatures?: number
}

const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const headerSets = [
  { id: 'webhook-id', timestamp: 'webhook-timestamp', signature: 'webhook-signature' },
  { id: 'svix-id', timestamp: 'svix-timestamp', signature: 'svix-signature' },
] as const
const signatureHeaders = headerSets.map((names) => names.signature)

/**
 * The decoy an unknown tenant's `v1a` entries are checked with: the public key
 * of RFC 8032's first test vector. Its private key is public, which does not
 * matter: a request checked with the decoy is refused whatever the check says.
 */
const decoyPublicKey = 'whpk_11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo='

/** What the factory decoded once: everything a check needs. */
interface Scheme {
  keys: Keyring<Secret>
  publicKeys: Keyring<Ed25519PublicKey>
  maxSignatures: number
  tolerance: number | undefined
  diagnosisAllowed: () => boolean
}

/** A secret as the user wrote it (for the diagnosis of a failure), and its key. */
interface Secret {
  text: string
  key: HmacKey
}

/** What {@link readDelivery} found: the signed id and timestamp (as sent, and checked), and the signature list. */
interface SignedDelivery {
  id: string
  timestampText: string
  timestamp: number
  signatures: string
}

/**
 * A `v1a` signature: base64 of 64 bytes, canonical. 64 bytes are 86
 * characters and `==`; the last character carries 2 bits and 4 zero bits,
 * so it is one of `A`, `Q`, `g`, `w` (any other decodes to the same bytes).
 */
const ed25519SignaturePattern = /^[A-Za-z0-9+/]{85}[AQgw]==$/

/** Decodes a `whsec_` secret once, at creation. */
export function decodeWhsecSecret(secret: unknown, option: string): Uint8Array {
  if (typeof secret !== 'string' || secret.length === 0) throw new TypeError(`${option} must be a non-empty string`)
  if (secret.startsWith('whpk_')) throw new TypeError(`${option} is a public key (whpk_): pass it as publicKey`)
  const bare = secret.startsWith('whsec_') ? secret.slice(6) : secret
  // Unpadded base64 is accepted, as the reference libraries and Svix accept it.
  const encoded = bare.padEnd(Math.ceil(bare.length / 4) * 4, '=')
  if (!base64Pattern.test(encoded) || encoded.length === 0) {
    throw new TypeError(`${option} must be base64, optionally prefixed with whsec_`)
  }
  return base64Decode(encoded)
}

/** Decodes a `whpk_` Ed25519 public key once, at creation. */
function decodeWhpkKey(publicKey: unknown, option: string): Ed25519PublicKey {
  if (typeof publicKey !== 'string' || !publicKey.startsWith('whpk_')) {
    throw new TypeError(`${option} must be a string starting with whpk_`)
  }
  const encoded = publicKey.slice(5)
  if (!base64Pattern.test(encoded) || encoded.length !== 44) {
    throw new TypeError(`${option} must be whpk_ followed by the base64 of a 32-byte Ed25519 key`)
  }
  try {
    return ed25519PublicKey(base64Decode(encoded))
  } catch {
    throw new TypeError(`${option} is not a valid Ed25519 public key`)
  }
}

/** The id, timestamp and signature list of a delivery, under `webhook-*` or Svix's `svix-*` names. */
function readDelivery(ctx: VerifyContext, tolerance: number | undefined): SignedDelivery {
  const names = ctx.headers['webhook-id'] !== undefined ? headerSets[0] : headerSets[1]
  // No signature under either name: refused first, as the guard's pre-check refuses it before the body is read.
  if (!signatureHeaders.some((name) => carries(ctx.headers, name))) {
    const anyHeader = ctx.headers[names.id] !== undefined || ctx.headers[names.timestamp] !== undefined
    throw new WebhookError(
      'missing_signature',
      anyHeader
        ? `missing ${names.signature} header while other ${names.id.split('-')[0]}-* headers arrived: a proxy may strip it, or the endpoint has no signing secret at the sender`
        : 'no webhook-* or svix-* headers arrived: a proxy may strip custom headers, or the sender uses another scheme',
    )
  }
  const id = singleHeader(ctx.headers, names.id)
  const timestampText = singleHeader(ctx.headers, names.timestamp)
  // Web `Headers` join a repeated header with ", "; no entry contains ", ", so it reads as one list either way.
  const joined = joinedHeader(ctx.headers, names.signature, ' ')
  const signatures = joined?.includes(', ') ? joined.replaceAll(', ', ' ') : joined
  if (id === undefined) {
    throw new WebhookError(
      'missing_event_id',
      'missing webhook-id (or svix-id) header while a signature arrived: a proxy may strip it',
    )
  }
  if (timestampText === undefined) throw new WebhookError('invalid_timestamp', `missing ${names.timestamp} header`)
  if (!signatures) {
    throw new WebhookError(
      'missing_signature',
      `missing ${names.signature} header while ${names.id} arrived: a proxy may strip it, or the endpoint has no signing secret at the sender`,
    )
  }
  const timestamp = checkTimestamp(timestampText, ctx.nowMs, tolerance ?? ctx.toleranceSeconds)
  return { id, timestampText, timestamp, signatures }
}

/**
 * Verifies the Standard Webhooks scheme, which Svix sends under `svix-*`
 * header names: a signature of `id.timestamp.body` over the raw bytes, in
 * `webhook-signature` as a space-separated list of entries. Symmetric `v1`
 * entries (`v1,<base64 HMAC-SHA256>`) are checked with `secret`; asymmetric
 * `v1a` entries (`v1a,<base64 Ed25519 signature>`) with `publicKey`.
 * Provides the event id and timestamp.
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [standardWebhooks({ secret: process.env.WEBHOOK_SECRET! })],
 *   enqueue: async (event) => queue.add(event),
 * })
 * standardWebhooks({ publicKey: 'whpk_…' }) // asymmetric v1a
 * ```
 */
export function standardWebhooks(options: StandardWebhooksOptions): Verifier {
  return standardWebhooksAs(options, 'standardWebhooks')
}

/** {@link standardWebhooks}, with option errors naming `where` (`svix` for the Svix preset). */
export function standardWebhooksAs(options: StandardWebhooksOptions, where: string): Verifier {
  requireOptions(options, where)
  if (options.secret === undefined && options.publicKey === undefined) {
    throw new TypeError(`${where}: give secret (whsec_…), publicKey (whpk_…), or both`)
  }
  const keys: Keyring<Secret> =
    options.secret === undefined
      ? emptyKeyring
      : compileKeys(options.secret, {
          where,
          option: 'secret',
          compile: (text, label) => ({ text, key: hmacKey('sha256', decodeWhsecSecret(text, `${where}: ${label}`)) }),
          decoy: () => ({ text: '', key: hmacKey('sha256', randomBytes(32)) }),
          refusal: 'invalid_signature',
        })
  const publicKeys: Keyring<Ed25519PublicKey> =
    options.publicKey === undefined
      ? emptyKeyring
      : compileKeys(options.publicKey, {
          where,
          option: 'publicKey',
          compile: (key, label) => decodeWhpkKey(key, `${where}: ${label}`),
          decoy: () => decodeWhpkKey(decoyPublicKey, 'decoy'),
          refusal: 'invalid_signature',
        })
  const scheme: Scheme = {
    keys,
    publicKeys,
    maxSignatures: positiveInteger(options.maxSignatures ?? 16, where, 'maxSignatures'),
    tolerance:
      options.toleranceSeconds === undefined
        ? undefined
        : positiveNumber(options.toleranceSeconds, where, 'toleranceSeconds'),
    diagnosisAllowed: rateGate(1_000),
  }
  return {
    name: 'standard-webhooks',
    keepHeaders: ['webhook-id', 'webhook-timestamp', 'svix-id', 'svix-timestamp'],
    idHeaders: ['webhook-id', 'svix-id'],
    credentialHeaders: signatureHeaders,
    missingCredentialCode: 'missing_signature',
    signs: { body: true, headers: ['webhook-id', 'webhook-timestamp', 'svix-id', 'svix-timestamp'] },
    verify:
      options.publicKey !== undefined
        ? (ctx) => verifyWithPublicKeys(ctx, scheme)
        : (ctx) => verifyWithSecrets(ctx, scheme),
    invalidate(tenant) {
      keys.invalidate(tenant)
      publicKeys.invalidate(tenant)
    },
  }
}

/** The symmetric-only path, taken when no public key is configured: the `v1` entries against each secret's digest. */
function verifyWithSecrets(ctx: VerifyContext, scheme: Scheme): VerifyResult | Promise<VerifyResult> {
  const delivery = readDelivery(ctx, scheme.tolerance)
  return scheme.keys.use(ctx, (keys) => checkSecrets(ctx, delivery, keys, scheme))
}

/** The `v1` entries against each secret's digest. */
function checkSecrets(
  ctx: VerifyContext,
  delivery: SignedDelivery,
  keys: readonly Secret[],
  scheme: Scheme,
): VerifyResult | Promise<VerifyResult> {
  // Hot path: one string part plus the body (two MAC updates, not five), and with node:crypto's
  // synchronous digest no promise at all; Web Crypto's digests are awaited.
  const signed = [`${delivery.id}.${delivery.timestampText}.`, ctx.body]
  const digests = new Array<string | Promise<string>>(keys.length)
  let pending = false
  for (let i = 0; i < keys.length; i++) {
    const digest = (keys[i] as Secret).key.digest(signed, 'base64')
    pending ||= typeof digest !== 'string'
    digests[i] = digest
  }
  if (!pending) return matchSignatures(ctx, delivery, digests as string[], keys, scheme)
  return Promise.all(digests).then((expected) => matchSignatures(ctx, delivery, expected, keys, scheme))
}

/** The result when a `v1` entry matches; otherwise a rejection saying the likely cause. */
function matchSignatures(
  ctx: VerifyContext,
  delivery: SignedDelivery,
  expected: readonly string[],
  keys: readonly Secret[],
  scheme: Scheme,
): VerifyResult | Promise<never> {
  const entries = new SignatureList(delivery.signatures, scheme.maxSignatures)
  while (entries.next()) {
    if (entries.version !== 'v1') continue
    for (const digest of expected)
      if (entries.valueIs(digest)) return { id: delivery.id, timestamp: delivery.timestamp }
  }
  return rejectSignatures(ctx, delivery, entries.count, keys, scheme)
}

/** 401 `invalid_signature`; at most once a second, the log also says the likely cause. */
function rejectSignatures(
  ctx: VerifyContext,
  delivery: SignedDelivery,
  inspected: number,
  keys: readonly Secret[],
  scheme: Scheme,
): Promise<never> {
  const summary = `no v1 signature among ${inspected} entries matched`
  if (!scheme.diagnosisAllowed()) return Promise.reject(new WebhookError('invalid_signature', summary))
  const failure = {
    id: delivery.id,
    timestampText: delivery.timestampText,
    timestamp: delivery.timestamp,
    nowMs: ctx.nowMs,
    body: ctx.body,
    entries: signatureEntries(delivery.signatures, scheme.maxSignatures),
    secrets: keys.map((k) => k.text),
  }
  // The diagnosis only words the log: whatever it meets (a body nested too deep to re-serialize, say), the answer stays 401.
  return diagnoseSignature(failure).then(
    (cause) => Promise.reject(new WebhookError('invalid_signature', `${summary}: ${cause}`)),
    () => Promise.reject(new WebhookError('invalid_signature', `${summary} (no diagnosis)`)),
  )
}

/**
 * How many Ed25519 checks one request may cost, per configured public key: a
 * sender rotating keys signs with the old and the new one, so two entries per
 * key cover every honest delivery, and a forged list of 16 costs no more.
 */
const ed25519ChecksPerKey = 2

/**
 * The path taken when public keys are configured: `v1a` entries are checked
 * with Ed25519, `v1` entries with the secrets (if any). The symmetric-only
 * path above stays as it is.
 */
function verifyWithPublicKeys(ctx: VerifyContext, scheme: Scheme): MaybePromise<VerifyResult> {
  const delivery = readDelivery(ctx, scheme.tolerance)
  return scheme.keys.use(ctx, (keys) =>
    scheme.publicKeys.use(ctx, (publicKeys) => checkPublicKeys(ctx, delivery, keys, publicKeys, scheme)),
  )
}

/** `v1a` entries checked with Ed25519, `v1` entries with the secrets (if any). */
async function checkPublicKeys(
  ctx: VerifyContext,
  delivery: SignedDelivery,
  keys: readonly Secret[],
  publicKeys: readonly Ed25519PublicKey[],
  scheme: Scheme,
): Promise<VerifyResult> {
  const { id, timestampText, timestamp, signatures } = delivery
  const prefix = `${id}.${timestampText}.`
  // The Ed25519 message as its parts, the body as it arrived: the port joins them where it can do so
  // without a fresh body-sized array per check (node:crypto: one reused buffer).
  const message = [prefix, ctx.body]
  let checksLeft = ed25519ChecksPerKey * publicKeys.length
  let expected: string[] | undefined
  const entries = new SignatureList(signatures, scheme.maxSignatures)
  while (entries.next()) {
    if (entries.version === 'v1a') {
      if (checksLeft === 0) continue
      const signature = ed25519Signature(entries.value())
      if (signature === undefined) continue
      for (const key of publicKeys) {
        if (checksLeft === 0) break
        checksLeft -= 1
        if (await key.verify(message, signature)) return { id, timestamp }
      }
    } else if (entries.version === 'v1' && keys.length > 0) {
      expected ??= await digestsOf(keys, [prefix, ctx.body])
      for (const digest of expected) if (entries.valueIs(digest)) return { id, timestamp }
    }
  }
  throw new WebhookError(
    'invalid_signature',
    `no v1a${keys.length > 0 ? ' or v1' : ''} signature among ${entries.count} entries matched` +
      (checksLeft === 0 ? ` (stopped after ${ed25519ChecksPerKey * publicKeys.length} Ed25519 checks)` : ''),
  )
}

/** The 64 bytes of a `v1a` value, or undefined unless it is their canonical base64: no lenient decoding. */
function ed25519Signature(value: string): Uint8Array | undefined {
  return ed25519SignaturePattern.test(value) ? base64Decode(value) : undefined
}

/** Each secret's `v1` digest, one after the other. */
async function digestsOf(keys: readonly Secret[], signed: readonly (string | Uint8Array)[]): Promise<string[]> {
  const digests: string[] = []
  for (const { key } of keys) digests.push(await key.digest(signed, 'base64'))
  return digests
}
