import {
  createGuard,
  discord,
  dropbox,
  meta,
  microsoftGraph,
  okta,
  slack,
  twitch,
  type Verifier,
  type WebhookEvent,
  x,
  zoom,
} from '@hookguard/core'
import { describe, expect, test } from 'vitest'
import { generateSecret } from './generate-secret.js'
import { type HandshakeName, handshakeNames, handshakeRequest } from './handshake-request.js'
import { signRequest } from './sign-request.js'

const secret = 'hookguard testing handshake secret'
const verifyToken = 'hookguard-verify-token'
const discordPair = generateSecret('discord')

function guardFor(name: HandshakeName) {
  const events: WebhookEvent[] = []
  const verifiers: Record<string, () => Verifier> = {
    slack: () => slack({ signingSecret: secret }),
    zoom: () => zoom({ secretToken: secret }),
    dropbox: () => dropbox({ appSecret: secret }),
    discord: () => discord({ publicKey: discordPair.publicKey as string }),
    meta: () => meta({ appSecret: secret, verifyToken }),
    twitch: () => twitch({ secret }),
    microsoft: () => microsoftGraph({ clientState: secret }),
    x: () => x({ consumerSecret: secret }),
    okta: () => okta({ secret }),
  }
  const verifier = (verifiers[name.split('-')[0] as string] as () => Verifier)()
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

describe("signRequest('twitch')", () => {
  test('signs a notification the twitch preset accepts, with its message id and subscription type', async () => {
    const { guard, events } = guardFor('twitch-verification')
    const body = { subscription: { type: 'stream.online' }, event: { broadcaster_user_id: '1337' } }
    const signed = await signRequest('twitch', { secret, body })
    const response = await guard.handle(new Request('http://localhost/hooks', signed))
    expect(response.status).toBe(202)
    expect(events.map((e) => [e.id, e.type])).toEqual([[signed.id, 'stream.online']])
    const revoked = await signRequest('twitch', {
      secret,
      body,
      headers: { 'twitch-eventsub-message-type': 'revocation' },
    })
    expect((await guard.handle(new Request('http://localhost/hooks', revoked))).status).toBe(202)
    expect(events[1]?.type).toBe('revocation')
  })
})

describe("signRequest('microsoft-graph')", () => {
  test('puts the clientState on every item; the preset accepts it, typed by changeType', async () => {
    const { guard, events } = guardFor('microsoft-graph-validation')
    const signed = await signRequest('microsoft-graph', { secret, body: { resource: 'me/messages' }, type: 'updated' })
    const response = await guard.handle(new Request('http://localhost/hooks', signed))
    expect(response.status).toBe(202)
    expect(events.map((e) => e.type)).toEqual(['updated'])
    const other = await signRequest('microsoft-graph', { secret: 'another', body: { value: [{ changeType: 'x' }] } })
    expect((await guard.handle(new Request('http://localhost/hooks', other))).status).toBe(401)
  })
})

describe("signRequest('x')", () => {
  test('signs an activity the x preset accepts', async () => {
    const { guard, events } = guardFor('x-crc')
    const signed = await signRequest('x', { secret, body: { for_user_id: '1', tweet_create_events: [] } })
    const response = await guard.handle(new Request('http://localhost/hooks', signed))
    expect(response.status).toBe(202)
    expect(events.map((e) => e.type)).toEqual(['tweet_create_events'])
  })
})

describe("signRequest('okta')", () => {
  test('sends the secret header and an eventId the okta preset accepts', async () => {
    const { guard, events } = guardFor('okta-verification')
    const signed = await signRequest('okta', {
      secret,
      body: { eventType: 'com.okta.event_hook', data: { events: [] } },
    })
    const response = await guard.handle(new Request('http://localhost/hooks', signed))
    expect(response.status).toBe(202)
    expect(events.map((e) => e.id)).toEqual([signed.id])
  })
})
