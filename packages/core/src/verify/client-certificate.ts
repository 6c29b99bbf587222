import { WebhookError } from '../errors.js'
import type { MaybePromise } from '../lib/maybe-promise.js'
import type { TlsPeer } from '../types.js'
import { type Keys, lookupOf } from './key-resolver.js'
import { compileKeys, emptyKeyring, type Keyring, randomBytes } from './keyring.js'
import { booleanOption, optionError, requireOptions } from './option-checks.js'
import type { Verifier, VerifyContext, VerifyResult } from './verifier.js'

/** Options for {@link clientCertificate}. */
export interface ClientCertificateOptions {
  /**
   * SHA-256 fingerprints of accepted certificates, `AA:BB:…` (colons and case
   * optional); each may carry its window (`{ key, notBefore, notAfter }`). Or
   * a resolver (`keyResolver`, or a plain function) that looks the tenant's up.
   */
  fingerprints256?: Keys<string>
  /** Accepted subjects, as `CN=sender.example.com` or `CN=x,O=Acme`: every named field must match. */
  subjects?: readonly string[]
  /** Accepted issuers, in the same form. */
  issuers?: readonly string[]
  /**
   * Accept only certificates the TLS layer verified against the server's CAs.
   * Default `true`. `false` (self-signed senders) needs `fingerprints256` and
   * allows no `subjects` or `issuers`: without CA verification anyone can make
   * a certificate with any name, so only a pinned fingerprint authenticates.
   */
  requireAuthorized?: boolean
}

type NameRule = [string, string][]

const where = 'clientCertificate'

function normalizeFingerprint(value: string): string {
  return value.replace(/:/g, '').toUpperCase()
}

function parseNameRule(rule: unknown, option: string): NameRule {
  if (typeof rule !== 'string' || !/^[A-Za-z]+=[^,]+(,[A-Za-z]+=[^,]+)*$/.test(rule)) {
    throw optionError(where, option, 'a name like "CN=sender.example.com,O=Acme"')
  }
  return rule.split(',').map((pair) => {
    const equals = pair.indexOf('=')
    return [pair.slice(0, equals).trim(), pair.slice(equals + 1).trim()]
  })
}

/** A list option (`fingerprints256`, `subjects`, `issuers`): absent is an empty list. */
function listOption(value: unknown, option: string): readonly unknown[] {
  if (value === undefined) return []
  if (!Array.isArray(value)) throw optionError(where, option, 'a list')
  return value
}

function parseFingerprint(value: unknown, option: string): string {
  if (typeof value !== 'string' || !/^[0-9A-Fa-f]{2}(:?[0-9A-Fa-f]{2})*$/.test(value)) {
    throw optionError(where, option, 'a hex SHA-256 fingerprint like "AA:BB:…"')
  }
  return normalizeFingerprint(value)
}

/** The accepted fingerprints, normalized: none, a static list, or a resolver's. */
function fingerprintKeys(value: Keys<string> | undefined): Keyring<string> {
  if (value === undefined) return emptyKeyring
  if (lookupOf(value) === undefined && listOption(value, 'fingerprints256').length === 0) return emptyKeyring
  return compileKeys(value, {
    where,
    option: 'fingerprints256',
    compile: (fingerprint, label) => parseFingerprint(fingerprint, label),
    decoy: () => Array.from(randomBytes(32), (b) => b.toString(16).padStart(2, '0')).join(''),
    refusal: 'client_certificate_rejected',
  })
}

function nameMatches(name: TlsPeer['subject'], rules: readonly NameRule[]): boolean {
  if (!name) return false
  return rules.some((rule) =>
    rule.every(([field, expected]) => {
      const actual = name[field]
      return Array.isArray(actual) ? actual.includes(expected) : actual === expected
    }),
  )
}

/**
 * Accepts only requests that presented an HTTPS client certificate (mTLS) the
 * TLS layer authorized and whose SHA-256 fingerprint is listed, or whose
 * subject and issuer match the configured ones. Anything else is 403
 * `client_certificate_rejected`. Serve with `https.createServer({ requestCert: true, ca })`;
 * the Node adapters pass the peer certificate to the core.
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [clientCertificate({ subjects: ['CN=webhooks.sender.example'], issuers: ['CN=Sender CA'] })],
 *   enqueue,
 *   eventId: { header: 'x-delivery-id' },
 * })
 * https.createServer({ key, cert, ca: senderCa, requestCert: true, rejectUnauthorized: false }, app).listen(443)
 * ```
 */
export function clientCertificate(options: ClientCertificateOptions): Verifier {
  requireOptions(options, where)
  const fingerprints = fingerprintKeys(options.fingerprints256)
  const subjects = listOption(options.subjects, 'subjects').map((s, i) => parseNameRule(s, `subjects[${i}]`))
  const issuers = listOption(options.issuers, 'issuers').map((s, i) => parseNameRule(s, `issuers[${i}]`))
  if (fingerprints === emptyKeyring && subjects.length === 0 && issuers.length === 0) {
    throw new TypeError(`${where}: give fingerprints256, subjects or issuers`)
  }
  const requireAuthorized = booleanOption(options.requireAuthorized ?? true, where, 'requireAuthorized')
  // Without CA verification a subject or issuer is whatever a self-made certificate says; only a pinned fingerprint
  // names one certificate.
  if (!requireAuthorized && (subjects.length > 0 || issuers.length > 0)) {
    throw optionError(
      where,
      'requireAuthorized',
      'true when subjects or issuers are given: without CA verification anyone can make a certificate with any ' +
        'subject or issuer, so only fingerprints256 authenticates',
    )
  }

  return {
    name: 'client-certificate',
    verify(ctx: VerifyContext): MaybePromise<VerifyResult> {
      const peer = ctx.tls
      if (!peer) {
        throw new WebhookError(
          'client_certificate_rejected',
          'the request did not arrive over TLS: serve the route with https and requestCert: true',
        )
      }
      if (!peer.fingerprint256) throw new WebhookError('client_certificate_rejected', 'no client certificate presented')
      if (requireAuthorized && !peer.authorized) {
        throw new WebhookError('client_certificate_rejected', 'the client certificate is not signed by a trusted CA')
      }
      const presented = normalizeFingerprint(peer.fingerprint256)
      const byName =
        (subjects.length > 0 || issuers.length > 0) &&
        (subjects.length === 0 || nameMatches(peer.subject, subjects)) &&
        (issuers.length === 0 || nameMatches(peer.issuer, issuers))
      return fingerprints.use(ctx, (accepted) => {
        if (!accepted.includes(presented) && !byName) {
          throw new WebhookError('client_certificate_rejected', 'the client certificate matches no configured one')
        }
        return {
          claims: { fingerprint256: peer.fingerprint256, subject: peer.subject ?? {}, issuer: peer.issuer ?? {} },
        }
      })
    },
    invalidate: (tenant) => fingerprints.invalidate(tenant),
  }
}
