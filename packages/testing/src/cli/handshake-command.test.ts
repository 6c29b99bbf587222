import { createGuard, meta, okta, x } from '@hookguard/core'
import { describe, expect, test } from 'vitest'
import type { HandshakeRequest } from '../handshake-request.js'
import type { CliIo } from './io.js'
import { main } from './main.js'

function capture(): { io: CliIo; out: () => string; err: () => string } {
  let out = ''
  let err = ''
  const io: CliIo = {
    out: (text) => {
      out += text
    },
    err: (text) => {
      err += text
    },
    isTTY: false,
    readStdin: async () => new Uint8Array(),
    env: {},
  }
  return { io, out: () => out, err: () => err }
}

describe('hookguard handshake', () => {
  test('meta-subscribe --json: a request the meta preset answers with the challenge it prints', async () => {
    const { io, out } = capture()
    const args = ['handshake', 'meta-subscribe', '--verify-token', 'tok-1', '--url', 'http://localhost/hooks', '--json']
    expect(await main(args, io)).toBe(0)
    const shake = JSON.parse(out()) as HandshakeRequest
    const guard = createGuard({ verify: [meta({ appSecret: 's', verifyToken: 'tok-1' })], enqueue: () => {} })
    const response = await guard.handle(new Request(shake.url, { method: shake.method, headers: shake.headers }))
    expect({ status: response.status, body: await response.text() }).toEqual({ status: 200, body: shake.expected.body })
  })

  test('x-crc and okta-verification --header: requests the presets answer as printed', async () => {
    for (const [args, verifier] of [
      [['x-crc', '--secret', 'consumer-secret'], x({ consumerSecret: 'consumer-secret' })],
      [
        ['okta-verification', '--secret', 'okta-secret', '--header', 'X-Okta-Secret'],
        okta({ secret: 'okta-secret', header: 'x-okta-secret' }),
      ],
    ] as const) {
      const { io, out } = capture()
      expect(await main(['handshake', ...args, '--url', 'http://localhost/hooks', '--json'], io)).toBe(0)
      const shake = JSON.parse(out()) as HandshakeRequest
      const guard = createGuard({ verify: [verifier], enqueue: () => {} })
      const response = await guard.handle(new Request(shake.url, { method: shake.method, headers: shake.headers }))
      expect({ status: response.status, body: await response.text() }).toEqual({
        status: 200,
        body: shake.expected.body,
      })
    }
  })

  test('prints a curl line and the expected answer; a missing or unknown name is a usage error', async () => {
    const shown = capture()
    await main(['handshake', 'meta-subscribe', '--verify-token', 't', '--challenge', '42'], shown.io)
    expect(shown.out()).toContain("curl -sS -i -X GET 'http://127.0.0.1:3000/hooks?hub.mode=subscribe&hub.challenge=42")
    expect(shown.out()).toContain('expected: 200 text/plain; charset=utf-8\n42\n')
    const unknown = capture()
    expect(await main(['handshake', 'paypal-ping'], unknown.io)).toBe(2)
    expect(unknown.err()).toContain('name a handshake: slack-url-verification, slack-ssl-check, meta-subscribe')
    const noSecret = capture()
    expect(await main(['handshake', 'slack-url-verification'], noSecret.io)).toBe(2)
    expect(noSecret.err()).toContain('secret is required')
  })
})
