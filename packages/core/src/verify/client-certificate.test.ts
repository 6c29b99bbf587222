import { describe, expect, test } from 'vitest'
import type { WebhookError } from '../errors.js'
import type { TlsPeer } from '../types.js'
import { clientCertificate } from './client-certificate.js'

const fingerprint = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89'
const peer: TlsPeer = {
  authorized: true,
  fingerprint256: fingerprint,
  subject: { CN: 'webhooks.sender.test', O: 'Sender Inc' },
  issuer: { CN: 'Sender CA' },
}

function outcome(verifier: ReturnType<typeof clientCertificate>, tls: TlsPeer | undefined): string {
  try {
    verifier.verify({
      method: 'POST',
      headers: {},
      body: new Uint8Array(),
      params: {},
      tls,
      nowMs: 0,
      toleranceSeconds: 300,
    })
    return 'ok'
  } catch (error) {
    return (error as WebhookError).code
  }
}

describe('clientCertificate', () => {
  test('a listed fingerprint passes, with or without colons and in any case', () => {
    expect(outcome(clientCertificate({ fingerprints256: [fingerprint] }), peer)).toBe('ok')
    expect(outcome(clientCertificate({ fingerprints256: [fingerprint.replace(/:/g, '').toLowerCase()] }), peer)).toBe(
      'ok',
    )
    expect(outcome(clientCertificate({ fingerprints256: ['00:11'] }), peer)).toBe('client_certificate_rejected')
  })

  test('subject and issuer must both match when both are configured', () => {
    const both = clientCertificate({ subjects: ['CN=webhooks.sender.test,O=Sender Inc'], issuers: ['CN=Sender CA'] })
    expect(outcome(both, peer)).toBe('ok')
    expect(outcome(both, { ...peer, issuer: { CN: 'Other CA' } })).toBe('client_certificate_rejected')
    expect(outcome(clientCertificate({ subjects: ['CN=other'] }), peer)).toBe('client_certificate_rejected')
  })

  test('unauthorized certificates, missing certificates and plain HTTP are rejected', () => {
    const verifier = clientCertificate({ fingerprints256: [fingerprint] })
    expect(outcome(verifier, { ...peer, authorized: false })).toBe('client_certificate_rejected')
    expect(outcome(verifier, { authorized: false })).toBe('client_certificate_rejected')
    expect(outcome(verifier, undefined)).toBe('client_certificate_rejected')
    expect(
      outcome(clientCertificate({ fingerprints256: [fingerprint], requireAuthorized: false }), {
        ...peer,
        authorized: false,
      }),
    ).toBe('ok')
  })

  test('invalid options fail at creation', () => {
    expect(() => clientCertificate({})).toThrow(TypeError)
    expect(() => clientCertificate({ subjects: ['not a name'] })).toThrow(/subjects/)
  })
})
