import { describe, expect, test } from 'vitest'
import { makeSecret } from '../../test-support/sign.js'
import { bearerToken } from './bearer-token.js'
import { clientCertificate } from './client-certificate.js'
import { type HmacSignatureOptions, hmacSignature } from './hmac-signature.js'
import { type JwtOptions, jwt } from './jwt.js'
import { type StandardWebhooksOptions, standardWebhooks } from './standard-webhooks.js'

/** Each bad option fails at creation with a TypeError saying `<factory>: <option> must be …`. */
function expectRefused(create: () => unknown, prefix: string): void {
  let thrown: unknown
  try {
    create()
  } catch (error) {
    thrown = error
  }
  expect(thrown).toBeInstanceOf(TypeError)
  expect((thrown as Error).message.startsWith(`${prefix} must be`), (thrown as Error).message).toBe(true)
}

/** The numbers no numeric option accepts. */
const notNumbers = [Number.NaN, Infinity, -Infinity, -1, '300']

describe('standardWebhooks: bad options fail at creation', () => {
  const secret = makeSecret().whsec
  const bad: [string, Partial<StandardWebhooksOptions>][] = [
    ...[0, 1.5, ...notNumbers].map((v): [string, Partial<StandardWebhooksOptions>] => [
      'maxSignatures',
      { maxSignatures: v as number },
    ]),
    ...[0, ...notNumbers].map((v): [string, Partial<StandardWebhooksOptions>] => [
      'toleranceSeconds',
      { toleranceSeconds: v as number },
    ]),
    ['secret', { secret: [] }],
    ['publicKey', { publicKey: [] }],
  ]
  test.each(bad)('%s: %o', (option, overrides) => {
    expectRefused(() => standardWebhooks({ secret, ...overrides }), `standardWebhooks: ${option}`)
  })

  test('Number(process.env.UNSET) as the tolerance is refused, not a window that accepts a ten-year-old delivery', () => {
    expectRefused(
      () => standardWebhooks({ secret, toleranceSeconds: Number(process.env.HOOKGUARD_SURELY_UNSET) }),
      'standardWebhooks: toleranceSeconds',
    )
  })

  test('good options still pass', () => {
    expect(() => standardWebhooks({ secret, maxSignatures: 1, toleranceSeconds: 0.5 })).not.toThrow()
  })
})

describe('hmacSignature: bad options fail at creation', () => {
  const base: HmacSignatureOptions = {
    name: 'acme',
    secret: 'shh',
    header: 'x-acme-signature',
    algorithm: 'sha256',
    encoding: 'hex',
  }
  const bad: [string, Partial<HmacSignatureOptions>][] = [
    ...[0, 1.5, ...notNumbers].map((v): [string, Partial<HmacSignatureOptions>] => [
      'maxSignatures',
      { maxSignatures: v as number },
    ]),
    ...[0, ...notNumbers].map((v): [string, Partial<HmacSignatureOptions>] => [
      'toleranceSeconds',
      { timestamp: { header: 'x-acme-timestamp' }, signedContent: '{timestamp}.{body}', toleranceSeconds: v as number },
    ]),
    // The timestamp is read and checked but not signed: an attacker rewrites it and a replay passes.
    ['signedContent', { timestamp: { header: 'x-acme-timestamp' } }],
    ['signedContent', { timestamp: { header: 'x-acme-timestamp' }, signedContent: '{header:x-other}.{body}' }],
    ['signedContent', { separator: ',', prefix: 'v1=', timestamp: { entry: 't=' } }],
    ['signedContent', { signedContent: 5 as unknown as string }],
    ['keepHeaders[0]', { keepHeaders: ['authorization'] }],
    ['keepHeaders[1]', { keepHeaders: ['x-acme-id', 'Cookie'] }],
    ['keepHeaders[0]', { keepHeaders: ['X-Acme-Signature'] }],
    ['keepHeaders[0]', { keepHeaders: ['__proto__'] }],
    ['keepHeaders', { keepHeaders: 'x-acme-id' as unknown as string[] }],
    ['header', { header: '__proto__' }],
    ['timestamp.header', { timestamp: { header: 'constructor' }, signedContent: '{timestamp}.{body}' }],
    ['signedContent {header:__proto__}', { signedContent: '{header:__proto__}.{body}' }],
    ['separator', { separator: '' }],
    ['secret', { secret: [] }],
    ['secret[1]', { secret: ['ok', ''] }],
  ]
  test.each(bad)('%s: %o', (option, overrides) => {
    expectRefused(() => hmacSignature({ ...base, ...overrides }), `acme: ${option}`)
  })

  test('a name that is not a non-empty string is refused under the factory name', () => {
    expectRefused(() => hmacSignature({ ...base, name: '' }), 'hmacSignature: name')
  })

  test('a timestamp signed through its own header placeholder counts as signed', () => {
    const timestamp = { header: 'x-acme-timestamp' }
    expect(() => hmacSignature({ ...base, timestamp, signedContent: '{header:X-Acme-Timestamp}.{body}' })).not.toThrow()
    expect(() => hmacSignature({ ...base, timestamp, signedContent: '{timestamp}.{body}' })).not.toThrow()
  })
})

describe('jwt: bad options fail at creation', () => {
  const base: JwtOptions = { secret: 'a-shared-secret', algorithms: ['HS256'], issuer: 'acme', audience: 'hooks' }
  const remote: JwtOptions = {
    jwksUrl: 'https://keys.example/jwks',
    algorithms: ['RS256'],
    issuer: 'acme',
    audience: 'hooks',
  }
  const numbers = (
    option: keyof JwtOptions,
    values: unknown[],
    from = base,
  ): [string, Partial<JwtOptions>, JwtOptions][] => values.map((v) => [option, { [option]: v }, from])
  const bad: [string, Partial<JwtOptions>, JwtOptions][] = [
    ...numbers('clockToleranceSeconds', notNumbers),
    ...numbers('maxTokenAgeSeconds', [0, ...notNumbers]),
    ...numbers('jwksTimeoutMs', [0, 3e9, ...notNumbers], remote),
    ...numbers('jwksCooldownMs', notNumbers, remote),
    ...numbers('jwksFailureBackoffMs', notNumbers, remote),
    ...numbers('jwksCacheMaxAgeMs', [0, ...notNumbers], remote),
    ['header', { header: '__proto__' }, base],
    ['requireExpiration', { requireExpiration: 'yes' as unknown as boolean }, base],
    ['requiredClaims', { requiredClaims: 'sub' as unknown as string[] }, base],
    ['claims', { claims: 'sub' as unknown as Record<string, string> }, base],
    ['verifyClaims', { verifyClaims: true as unknown as () => boolean }, base],
  ]
  test.each(bad)('%s: %o', (option, overrides, from) => {
    expectRefused(() => jwt({ ...from, ...overrides, name: 'acme' }), `acme: ${option}`)
  })

  test('a name that is not a non-empty string is refused under the factory name', () => {
    expectRefused(() => jwt({ ...base, name: '' }), 'jwt: name')
  })
})

describe('bearerToken: bad options fail at creation', () => {
  test.each([
    ['tokens', { tokens: [] }],
    ['tokens[1]', { tokens: ['good-token', 'has space'] }],
    ['header', { tokens: 'good-token', header: '__proto__' }],
    ['header', { tokens: 'good-token', header: 'x token' }],
  ])('%s: %o', (option, options) => {
    expectRefused(() => bearerToken(options), `bearerToken: ${option}`)
  })

  test('no options object', () => {
    expect(() => bearerToken(undefined as never)).toThrow('bearerToken needs an options object')
  })
})

describe('clientCertificate: bad options fail at creation', () => {
  const fingerprint = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89'
  test.each([
    // Without CA verification, anyone can mint a certificate with any subject or issuer.
    ['requireAuthorized', { subjects: ['CN=webhooks.sender.test'], requireAuthorized: false }],
    ['requireAuthorized', { issuers: ['CN=Sender CA'], requireAuthorized: false }],
    ['requireAuthorized', { fingerprints256: [fingerprint], subjects: ['CN=x'], requireAuthorized: false }],
    ['requireAuthorized', { fingerprints256: [fingerprint], requireAuthorized: 'no' as unknown as boolean }],
    ['fingerprints256', { fingerprints256: fingerprint as unknown as string[] }],
    ['fingerprints256[0]', { fingerprints256: [42 as unknown as string] }],
    ['fingerprints256[0]', { fingerprints256: ['not hex'] }],
    ['subjects[1]', { subjects: ['CN=a', 'nope'] }],
    ['issuers', { issuers: 'CN=Sender CA' as unknown as string[] }],
  ])('%s: %o', (option, options) => {
    expectRefused(() => clientCertificate(options), `clientCertificate: ${option}`)
  })

  test('pinned fingerprints without CA verification still pass', () => {
    expect(() => clientCertificate({ fingerprints256: [fingerprint], requireAuthorized: false })).not.toThrow()
  })
})
