import { WebhookError } from '../errors.js'
import type { TlsPeer } from '../types.js'
import type { Verifier, VerifyContext, VerifyResult } from '../verifier.js'

/** Options for {@link clientCertificate}. */
export interface ClientCertificateOptions {
  /** SHA-256 fingerprints of accepted certificates, `AA:BB:…` (colons and case optional). */
  fingerprints256?: readonly string[]
  /** Accepted subjects, as `CN=sender.example.com` or `CN=x,O=Acme`: every named field must match. */
  subjects?: readonly string[]
  /** Accepted issuers, in the same form. */
  issuers?: readonly string[]
  /** Accept only certificates the TLS layer verified against the server's CAs. Default `true`. */
  requireAuthorized?: boolean
}

type NameRule = [string, string][]

function normalizeFingerprint(value: string): string {
  return value.replace(/:/g, '').toUpperCase()
}

function parseNameRule(rule: unknown, option: string): NameRule {
  if (typeof rule !== 'string' || !/^[A-Za-z]+=[^,]+(,[A-Za-z]+=[^,]+)*$/.test(rule)) {
    throw new TypeError(`clientCertificate: ${option} entries look like "CN=sender.example.com,O=Acme"`)
  }
  return rule.split(',').map((pair) => {
    const equals = pair.indexOf('=')
    return [pair.slice(0, equals).trim(), pair.slice(equals + 1).trim()]
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
  const fingerprints = new Set((options?.fingerprints256 ?? []).map((f) => normalizeFingerprint(String(f))))
  const subjects = (options?.subjects ?? []).map((s) => parseNameRule(s, 'subjects'))
  const issuers = (options?.issuers ?? []).map((s) => parseNameRule(s, 'issuers'))
  if (fingerprints.size === 0 && subjects.length === 0 && issuers.length === 0) {
    throw new TypeError('clientCertificate: give fingerprints256, subjects or issuers')
  }
  const requireAuthorized = options.requireAuthorized ?? true

  return {
    name: 'client-certificate',
    verify(ctx: VerifyContext): VerifyResult {
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
      const byFingerprint = fingerprints.has(normalizeFingerprint(peer.fingerprint256))
      const byName =
        (subjects.length > 0 || issuers.length > 0) &&
        (subjects.length === 0 || nameMatches(peer.subject, subjects)) &&
        (issuers.length === 0 || nameMatches(peer.issuer, issuers))
      if (!byFingerprint && !byName) {
        throw new WebhookError('client_certificate_rejected', 'the client certificate matches no configured one')
      }
      return {
        claims: { fingerprint256: peer.fingerprint256, subject: peer.subject ?? {}, issuer: peer.issuer ?? {} },
      }
    },
  }
}
