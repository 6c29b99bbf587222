import { constants, createHmac, generateKeyPairSync, type KeyObject, sign } from 'node:crypto'
import { importSPKI } from 'jose'
import { describe, expect, test } from 'vitest'
import * as node from './node.js'
import type { CryptoPort, JwsAlgorithm } from './port.js'
import * as web from './web.js'

const ports: Record<string, CryptoPort> = { node, web }
const input = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzZW5kZXIifQ'
const secret = new TextEncoder().encode('a jws secret of some length')

function pair(alg: JwsAlgorithm) {
  if (alg.startsWith('RS') || alg.startsWith('PS')) return generateKeyPairSync('rsa', { modulusLength: 2048 })
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' })
  if (alg === 'ES384') return generateKeyPairSync('ec', { namedCurve: 'P-384' })
  if (alg === 'ES512') return generateKeyPairSync('ec', { namedCurve: 'P-521' })
  return generateKeyPairSync('ed25519')
}

/** The sender's signature with node:crypto's own signing, as base64url. */
function signWith(alg: JwsAlgorithm, key: KeyObject): string {
  const data = Buffer.from(input)
  const hash = `sha${alg.slice(2)}`
  if (alg.startsWith('PS')) {
    const saltLength = Number(alg.slice(2)) / 8
    return sign(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }).toString('base64url')
  }
  if (alg.startsWith('ES')) return sign(hash, data, { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')
  if (alg.startsWith('Ed')) return sign(null, data, key).toString('base64url')
  return sign(hash, data, key).toString('base64url')
}

const asymmetric: JwsAlgorithm[] = ['RS256', 'RS512', 'PS256', 'PS384', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519']
const keys = new Map(asymmetric.map((alg) => [alg, pair(alg)]))

/** The signature with one character changed, still base64url. */
const tampered = (signature: string) => `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`

describe.each(Object.keys(ports))('jwsKey on the %s port', (portName) => {
  const port = ports[portName] as CryptoPort

  test.each(['HS256', 'HS384', 'HS512'] as const)('%s: the secret’s MAC passes, another fails', async (alg) => {
    const key = port.jwsKey(alg, secret)
    const mac = createHmac(`sha${alg.slice(2)}`, secret)
      .update(input)
      .digest('base64url')
    expect(await key.verify(input, mac)).toBe(true)
    expect(await key.verify(input, tampered(mac))).toBe(false)
    expect(await key.verify(`${input}x`, mac)).toBe(false)
    expect(await key.verify(input, mac.slice(0, -4))).toBe(false)
  })

  test.each(asymmetric)('%s: a CryptoKey imported by jose verifies the signature, not a changed one', async (alg) => {
    const { privateKey, publicKey } = keys.get(alg) as ReturnType<typeof pair>
    const cryptoKey = await importSPKI(publicKey.export({ type: 'spki', format: 'pem' }) as string, alg)
    const key = port.jwsKey(alg, cryptoKey)
    const signature = signWith(alg, privateKey)
    expect(await key.verify(input, signature)).toBe(true)
    expect(await key.verify(input, tampered(signature))).toBe(false)
    expect(await key.verify(`${input}x`, signature)).toBe(false)
    expect(await key.verify(input, signature.slice(0, 8))).toBe(false)
  })

  test.each(['RS256', 'ES256', 'EdDSA'] as const)(
    '%s: each check sees its own bytes only, after a longer one',
    async (alg) => {
      const { privateKey, publicKey } = keys.get(alg) as ReturnType<typeof pair>
      const key = port.jwsKey(alg, await importSPKI(publicKey.export({ type: 'spki', format: 'pem' }) as string, alg))
      const signature = signWith(alg, privateKey)
      const long = `${input}${'x'.repeat(5000)}`
      expect(await key.verify(long, signature)).toBe(false)
      expect(await key.verify(input, signature)).toBe(true)
      // The signed input less its last character, checked right after the whole of it.
      expect(await key.verify(input.slice(0, -1), signature)).toBe(false)
      expect(await key.verify(input, `${signature}${signature}`)).toBe(false)
      expect(await key.verify(input, signature.slice(0, -2))).toBe(false)
      expect(await key.verify(input, signature)).toBe(true)
    },
  )

  test('a secret for a public-key algorithm, or a CryptoKey for HS, is a TypeError', async () => {
    expect(() => port.jwsKey('RS256', secret)).toThrow(TypeError)
    const cryptoKey = await importSPKI(
      (keys.get('EdDSA') as ReturnType<typeof pair>).publicKey.export({ type: 'spki', format: 'pem' }) as string,
      'EdDSA',
    )
    expect(() => port.jwsKey('HS256', cryptoKey)).toThrow(TypeError)
  })

  test('base64url text: UTF-8 decoded strictly, a length no base64 has refused', () => {
    expect(port.base64UrlText(Buffer.from('{"a":"é"}').toString('base64url'))).toBe('{"a":"é"}')
    expect(port.base64UrlText(Buffer.from([0xff, 0xfe, 0x41]).toString('base64url'))).toBeUndefined()
    expect(port.base64UrlText('abcde')).toBeUndefined()
    // A short text right after a long one decodes to itself alone.
    expect(port.base64UrlText(Buffer.from('{"b":1}'.repeat(3000)).toString('base64url'))).toBe('{"b":1}'.repeat(3000))
    expect(port.base64UrlText(Buffer.from('{"c":2}').toString('base64url'))).toBe('{"c":2}')
  })
})
