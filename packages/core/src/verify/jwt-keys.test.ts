import { generateKeyPairSync } from 'node:crypto'
import { errors } from 'jose'
import { expect, describe as suite, test } from 'vitest'
import { describe, publicKeySource, secretSource } from './jwt-keys.js'

suite('jwt key sources', () => {
  test('a secret is copied at creation: changing the caller’s bytes later changes nothing', async () => {
    const bytes = new TextEncoder().encode('jwt-secret')
    const source = secretSource(bytes, 'jwt: secret[0]')
    bytes.fill(0)
    expect(new TextDecoder().decode((await source({ alg: 'HS256' })) as Uint8Array)).toBe('jwt-secret')
    expect(() => secretSource('', 'jwt: secret[0]')).toThrow('jwt: secret[0] must be a non-empty string or Uint8Array')
  })

  test('a public key is imported per algorithm; an algorithm it does not fit is no matching key', async () => {
    const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' })
    const source = publicKeySource({ ...jwk, alg: 'ES256' }, ['ES256', 'RS256'], 'jwt: publicKey[0]')
    expect(await source({ alg: 'ES256' })).toHaveProperty('type', 'public')
    await expect(source({ alg: 'RS256' })).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey)
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
})
