import { generateKeyPairSync, sign } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import * as node from './node.js'
import type { CryptoPort } from './port.js'
import * as web from './web.js'

const ports: Record<string, CryptoPort> = { node, web }

function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const raw = new Uint8Array(Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url'))
  return { raw, privateKey }
}

describe.each(Object.keys(ports))('ed25519PublicKey (%s)', (name) => {
  const port = ports[name] as CryptoPort
  const { raw, privateKey } = keyPair()
  const parts = ['msg_1', '.', '1700000000', '.', new Uint8Array([0, 1, 2, 255])]
  const data = Buffer.concat([Buffer.from('msg_1.1700000000.'), Buffer.from([0, 1, 2, 255])])
  const signature = new Uint8Array(sign(null, data, privateKey))

  test('verifies a signature over the concatenated parts', async () => {
    expect(await port.ed25519PublicKey(raw).verify(parts, signature)).toBe(true)
  })

  test('rejects a changed message, a changed signature and another key', async () => {
    const key = port.ed25519PublicKey(raw)
    expect(await key.verify(['msg_2', '.', '1700000000', '.', new Uint8Array([0, 1, 2, 255])], signature)).toBe(false)
    const flipped = signature.slice()
    flipped[10] = (flipped[10] as number) ^ 1
    expect(await key.verify(parts, flipped)).toBe(false)
    expect(await key.verify(parts, signature.subarray(0, 63))).toBe(false)
    expect(await port.ed25519PublicKey(keyPair().raw).verify(parts, signature)).toBe(false)
  })

  test('checks each message alone, whatever size came before: growing, shrinking, past the join buffer', async () => {
    const key = port.ed25519PublicKey(raw)
    // Sizes around node's reused join buffer (1 MiB + 16 KiB): first use, growth, a shorter message
    // after a longer one (whose bytes are still in the buffer), and one too large for it.
    const fits = 1024 * 1024 + 16 * 1024 - 'msg_1.1700000000.'.length
    const sizes = [10, 300_000, 50, 1_048_576, fits, fits + 1, 3]
    for (const size of sizes) {
      const body = new Uint8Array(size).fill(size % 251)
      const signed = new Uint8Array(sign(null, Buffer.concat([Buffer.from('msg_1.1700000000.'), body]), privateKey))
      expect(await key.verify(['msg_1.1700000000.', body], signed)).toBe(true)
      // The same signature over the body one byte shorter: what a stale byte at the end would hide.
      expect(await key.verify(['msg_1.1700000000.', body.subarray(0, size - 1)], signed)).toBe(false)
      expect(await key.verify(['msg_1.1700000000.é', body], signed)).toBe(false)
    }
  })

  test('refuses a key that is not 32 bytes', () => {
    expect(() => port.ed25519PublicKey(new Uint8Array(31))).toThrow(TypeError)
  })
})

describe('the node port leaves no message behind', () => {
  test('the shared buffer is zeroed after an Ed25519 check, a JWS check and a claims decode', async () => {
    const { raw, privateKey } = keyPair()
    const body = new Uint8Array(Buffer.from('{"secret":"card 4242"}'))
    const signature = new Uint8Array(sign(null, Buffer.concat([Buffer.from('msg_1.1.'), body]), privateKey))
    expect(node.ed25519PublicKey(raw).verify(['msg_1.1.', body], signature)).toBe(true)
    expect(node.scratchIsClear()).toBe(true)
    expect(node.ed25519PublicKey(raw).verify(['msg_2.1.', body], signature)).toBe(false)
    expect(node.scratchIsClear()).toBe(true)
    expect(node.base64UrlText(Buffer.from('{"sub":"acme"}').toString('base64url'))).toBe('{"sub":"acme"}')
    expect(node.scratchIsClear()).toBe(true)
    const { publicKey, privateKey: rsa } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const input = `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from('{"sub":"a"}').toString('base64url')}`
    const jws = sign('sha256', Buffer.from(input), rsa).toString('base64url')
    const key = node.jwsKey(
      'RS256',
      await crypto.subtle.importKey(
        'spki',
        publicKey.export({ format: 'der', type: 'spki' }),
        { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
        true,
        ['verify'],
      ),
    )
    expect(key.verify(input, jws)).toBe(true)
    expect(node.scratchIsClear()).toBe(true)
  })
})
