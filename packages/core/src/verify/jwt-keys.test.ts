import { createHmac, generateKeyPairSync, sign } from 'node:crypto'
import { errors, importSPKI } from 'jose'
import { expect, describe as suite, test } from 'vitest'
import {
  describe,
  importedKey,
  publicKeySource,
  remoteKeySetSettings,
  remoteKeySources,
  secretSource,
} from './jwt-keys.js'

suite('jwt key sources', () => {
  test('a secret is copied at creation: changing the caller’s bytes later changes nothing', async () => {
    const bytes = new TextEncoder().encode('jwt-secret')
    const source = secretSource(bytes, 'jwt: secret[0]')
    bytes.fill(0)
    const mac = createHmac('sha256', 'jwt-secret').update('header.payload').digest('base64url')
    const key = await source({ alg: 'HS256' })
    expect(await key.verify('header.payload', mac)).toBe(true)
    expect(
      await key.verify('header.payload', createHmac('sha256', bytes).update('header.payload').digest('base64url')),
    ).toBe(false)
    expect(() => secretSource('', 'jwt: secret[0]')).toThrow('jwt: secret[0] must be a non-empty string or Uint8Array')
  })

  test('a public key is imported per algorithm; an algorithm it does not fit is no matching key', async () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const jwk = pair.publicKey.export({ format: 'jwk' })
    const source = publicKeySource({ ...jwk, alg: 'ES256' }, ['ES256', 'RS256'], 'jwt: publicKey[0]')
    const signature = sign('sha256', Buffer.from('header.payload'), {
      key: pair.privateKey,
      dsaEncoding: 'ieee-p1363',
    }).toString('base64url')
    expect(await (await source({ alg: 'ES256' })).verify('header.payload', signature)).toBe(true)
    await expect(Promise.resolve().then(() => source({ alg: 'RS256' }))).rejects.toBeInstanceOf(
      errors.JWKSNoMatchingKey,
    )
  })

  test('an RSA key under 2048 bits is refused when a token needs it, as jose refuses it: invalid_token', async () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 })
    const pem = small.publicKey.export({ type: 'spki', format: 'pem' }) as string
    const key = importedKey('RS256', await importSPKI(pem, 'RS256'))
    const signature = sign('sha256', Buffer.from('header.payload'), small.privateKey).toString('base64url')
    expect(() => key.verify('header.payload', signature)).toThrow(expect.objectContaining({ code: 'invalid_token' }))
    const big = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const bigKey = importedKey(
      'RS256',
      await importSPKI(big.publicKey.export({ type: 'spki', format: 'pem' }) as string, 'RS256'),
    )
    const bigSignature = sign('sha256', Buffer.from('header.payload'), big.privateKey).toString('base64url')
    expect(bigKey.verify('header.payload', bigSignature)).toBe(true)
  })

  test('a private JWK or a text that is no PEM is refused at creation, naming the option', () => {
    const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' })
    expect(() => publicKeySource(jwk, ['ES256'], 'jwt: publicKey[0]')).toThrow(
      'jwt: publicKey[0] must be a public JWK, not a private or secret one',
    )
    expect(() => publicKeySource('not a key', ['ES256'], 'jwt: publicKey[1]')).toThrow(
      /^jwt: publicKey\[1\] must be a PEM/,
    )
  })

  test('a failure is described by its jose code, or by the error’s name only', () => {
    expect(describe(new errors.JWTInvalid('Invalid Compact JWS'))).toBe('ERR_JWT_INVALID: Invalid Compact JWS')
    expect(describe(new RangeError('eyJhbGciOi...'))).toBe('RangeError')
    expect(describe('eyJhbGciOi...')).toBe('non-error thrown')
  })

  test('remote key sets: one per URL, shared; at most max kept, the one named least recently dropped first', () => {
    const sources = remoteKeySources(remoteKeySetSettings({}, 'jwt'), 2)
    const a = sources(new URL('https://a.example/jwks'))
    const b = sources(new URL('https://b.example/jwks'))
    expect(sources(new URL('https://a.example/jwks'))).toBe(a)
    sources(new URL('https://c.example/jwks'))
    expect(sources(new URL('https://a.example/jwks'))).toBe(a)
    expect(sources(new URL('https://b.example/jwks'))).not.toBe(b)
    expect(() => remoteKeySetSettings({ jwksCooldownMs: -1 }, 'jwt')).toThrow('jwt: jwksCooldownMs must be')
  })
})
