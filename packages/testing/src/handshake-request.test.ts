import { createGuard, discord, dropbox, meta, slack, type WebhookEvent, zoom } from '@hookguard/core'
import { describe, expect, test } from 'vitest'
import { generateSecret } from './generate-secret.js'
import { type HandshakeName, handshakeNames, handshakeRequest } from './handshake-request.js'
import { signRequest } from './sign-request.js'

const secret = 'hookguard testing handshake secret'
const verifyToken = 'hookguard-verify-token'
const discordPair = generateSecret('discord')

function guardFor(name: HandshakeName) {
  const events: WebhookEvent[] = []
  const verifier = name.startsWith('slack')
    ? slack({ signingSecret: secret })
    : name.startsWith('zoom')
      ? zoom({ secretToken: secret })
      : name.startsWith('dropbox')
        ? dropbox({ appSecret: secret })
        : name.startsWith('discord')
          ? discord({ publicKey: discordPair.publicKey as string })
          : meta({ appSecret: secret, verifyToken })
  return { events, guard: createGuard({ verify: [verifier], enqueue: (event) => void events.push(event) }) }
}

describe('handshakeRequest', () => {
  for (const name of handshakeNames) {
    test(`${name}: the guard's preset answers it exactly as the sender expects, enqueuing nothing`, async () => {
      const { guard, events } = guardFor(name)
      const shake = handshakeRequest(name, {
        secret,
        verifyToken,
        privateKey: discordPair.secret,
        url: 'http://localhost/hooks',
      })
      const response = await guard.handle(
        new Request(shake.url, { method: shake.method, headers: shake.headers, body: shake.body }),
      )
      expect({
        status: response.status,
        contentType: response.headers.get('content-type'),
        body: await response.text(),
      }).toEqual(shake.expected)
      expect(events).toEqual([])
    })
  }

  test('meta-subscribe with another verify token is refused 403', async () => {
    const { guard } = guardFor('meta-subscribe')
    const shake = handshakeRequest('meta-subscribe', { verifyToken: 'another-token', url: 'http://localhost/hooks' })
    const response = await guard.handle(new Request(shake.url, { method: 'GET', headers: shake.headers }))
    expect(response.status).toBe(403)
  })

  test('options it needs are required, by name', () => {
    expect(() => handshakeRequest('slack-url-verification')).toThrow('slack-url-verification: secret is required')
    expect(() => handshakeRequest('meta-subscribe')).toThrow('meta-subscribe: verifyToken is required')
  })
})

describe("signRequest('zoom')", () => {
  test('signs an event the zoom preset accepts', async () => {
    const { guard, events } = guardFor('zoom-url-validation')
    const signed = await signRequest('zoom', { secret, body: { event: 'meeting.started', payload: {}, event_ts: 1 } })
    const response = await guard.handle(new Request('http://localhost/hooks', signed))
    expect(response.status).toBe(202)
    expect(events.map((e) => e.type)).toEqual(['meeting.started'])
  })
})

describe("signRequest('dropbox')", () => {
  test('signs a notification the dropbox preset accepts', async () => {
    const { guard, events } = guardFor('dropbox-challenge')
    const signed = await signRequest('dropbox', { secret, body: { list_folder: { accounts: ['dbid:x'] } } })
    const response = await guard.handle(new Request('http://localhost/hooks', signed))
    expect(response.status).toBe(202)
    expect(events).toHaveLength(1)
  })
})

describe("signRequest('discord')", () => {
  test('signs an interaction the discord preset accepts, with a key pair from generateSecret', async () => {
    const { guard, events } = guardFor('discord-ping')
    const signed = await signRequest('discord', { secret: discordPair.secret, body: { id: '42', type: 2 } })
    const response = await guard.handle(new Request('http://localhost/hooks', signed))
    expect(response.status).toBe(202)
    expect(events.map((e) => e.id)).toEqual(['42'])
  })
})

describe("signRequest('meta')", () => {
  test('signs an event the meta preset accepts', async () => {
    const { guard, events } = guardFor('meta-subscribe')
    const signed = await signRequest('meta', { secret, body: { object: 'page', entry: [] } })
    const response = await guard.handle(new Request('http://localhost/hooks', signed))
    expect(response.status).toBe(202)
    expect(events.map((e) => e.type)).toEqual(['page'])
  })
})
