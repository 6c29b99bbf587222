import { randomBytes } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import * as node from './node.js'
import type { CryptoPort } from './port.js'
import * as web from './web.js'

const ports: Record<string, CryptoPort> = { node, web }

describe('crypto ports agree', () => {
  const secret = randomBytes(32)
  const body = randomBytes(4096)

  for (const algorithm of ['sha1', 'sha256', 'sha512'] as const) {
    for (const encoding of ['base64', 'hex'] as const) {
      test(`HMAC ${algorithm} ${encoding}`, async () => {
        const parts = ['msg_1', '.', '1700000000', '.', body]
        const fromNode = await ports.node!.hmacKey(algorithm, secret).digest(parts, encoding)
        const fromWeb = await ports.web!.hmacKey(algorithm, secret).digest(parts, encoding)
        expect(fromWeb).toBe(fromNode)
      })
    }
  }

  test('sha256 and base64', async () => {
    expect(await web.sha256(body)).toEqual(new Uint8Array(await node.sha256(body)))
    expect(web.base64Encode(body)).toBe(node.base64Encode(body))
    expect(web.base64Decode(node.base64Encode(body))).toEqual(new Uint8Array(body))
  })
})
