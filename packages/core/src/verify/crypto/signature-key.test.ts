import { constants, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { makeSigningCertificate } from '../../../test-support/certs.js'
import * as node from './node.js'
import type { CryptoPort, EcdsaSignatureFormat, SignatureAlgorithm } from './port.js'
import * as web from './web.js'

const ports: Record<string, CryptoPort> = { node, web }
const content = ['1700000000', '{"event":"processed"}']
const data = Buffer.from(content.join(''))

function pair(algorithm: SignatureAlgorithm) {
  if (algorithm === 'ed25519') return generateKeyPairSync('ed25519')
  if (algorithm === 'ecdsa-p256-sha256') return generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return generateKeyPairSync('rsa', { modulusLength: 2048 })
}

/** What the sender does, with node:crypto's own signing. */
function signWith(algorithm: SignatureAlgorithm, privateKey: KeyObject, format: EcdsaSignatureFormat): Uint8Array {
  if (algorithm === 'ed25519') return sign(null, data, privateKey)
  if (algorithm === 'rsa-pss-sha256') {
    return sign('sha256', data, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 })
  }
  if (algorithm === 'ecdsa-p256-sha256') {
    return sign('sha256', data, { key: privateKey, dsaEncoding: format === 'raw' ? 'ieee-p1363' : 'der' })
  }
  if (algorithm === 'rsa-pkcs1-sha1') return sign('sha1', data, privateKey)
  return sign('sha256', data, privateKey)
}

const cases: [SignatureAlgorithm, EcdsaSignatureFormat][] = [
  ['ed25519', 'der'],
  ['ecdsa-p256-sha256', 'der'],
  ['ecdsa-p256-sha256', 'raw'],
  ['rsa-pkcs1-sha256', 'der'],
  ['rsa-pss-sha256', 'der'],
  ['rsa-pkcs1-sha1', 'der'],
]

describe.each(Object.keys(ports))('signatureKey on the %s port', (portName) => {
  const port = ports[portName] as CryptoPort

  test.each(cases)(
    '%s (%s): PEM and JWK keys verify a real signature and refuse a changed one',
    async (algorithm, format) => {
      const { publicKey, privateKey } = pair(algorithm)
      const signature = signWith(algorithm, privateKey, format)
      const pem = publicKey.export({ format: 'pem', type: 'spki' }) as string
      for (const key of [
        port.signatureKey(algorithm, pem, format),
        port.signatureKey(algorithm, publicKey.export({ format: 'jwk' }), format),
      ]) {
        expect(await key.verify(content, signature)).toBe(true)
        expect(await key.verify([...content, ' '], signature)).toBe(false)
        const flipped = Uint8Array.from(signature)
        flipped[flipped.length - 1] = (flipped[flipped.length - 1] as number) ^ 1
        expect(await key.verify(content, flipped)).toBe(false)
        expect(await key.verify(content, new Uint8Array(3))).toBe(false)
      }
      const other = pair(algorithm).publicKey.export({ format: 'pem', type: 'spki' }) as string
      expect(await port.signatureKey(algorithm, other, format).verify(content, signature)).toBe(false)
    },
  )

  test('a key that is not a PEM public key is a TypeError', () => {
    expect(() => port.signatureKey('ed25519', 'not a key', 'der')).toThrow(TypeError)
  })

  test("certificatePublicKey: an X.509 certificate's key, as the key openssl put in it; anything else a TypeError", async () => {
    const { key, cert } = signing
    const spki = port.certificatePublicKey(cert)
    const expected = createPublicKey(key).export({ format: 'pem', type: 'spki' }) as string
    expect(spki.trim()).toBe(expected.trim())
    const sha1 = sign('sha1', data, key)
    expect(await port.signatureKey('rsa-pkcs1-sha1', spki, 'der').verify(content, sha1)).toBe(true)
    expect(await port.signatureKey('rsa-pkcs1-sha256', spki, 'der').verify(content, sha1)).toBe(false)
    expect(() => port.certificatePublicKey(expected)).toThrow(TypeError)
    expect(() => port.certificatePublicKey('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----')).toThrow(
      TypeError,
    )
    // Cut short: the DER runs past its end.
    const body = cert.replace(/-----[A-Z ]+-----|\s/g, '')
    const cut = `-----BEGIN CERTIFICATE-----\n${body.slice(0, 400)}\n-----END CERTIFICATE-----`
    expect(() => port.certificatePublicKey(cut)).toThrow(TypeError)
  })
})

const signing = makeSigningCertificate()

test('node refuses, at creation, a key of another type than the algorithm', () => {
  const rsa = pair('rsa-pkcs1-sha256').publicKey.export({ format: 'pem', type: 'spki' }) as string
  expect(() => node.signatureKey('ecdsa-p256-sha256', rsa, 'der')).toThrow('not a public ec key')
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'pem', type: 'spki' })
  expect(() => node.signatureKey('ecdsa-p256-sha256', p384 as string, 'der')).toThrow('not a P-256 key')
})
