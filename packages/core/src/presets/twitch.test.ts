import { createHmac } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { expectTenantKeys } from '../../test-support/tenant-presets.js'
import { createGuard } from '../guard.js'
import type { WebhookEvent } from '../types.js'
import { checkRfc3339, twitch } from './twitch.js'

// Twitch's "Handling Webhook Events": the HMAC message is id + timestamp + body, `sha256=` + hex, as its sample code.
const secret = 'hookguard twitch test secret'
const nowMs = Date.parse('2023-07-19T14:56:51.634Z')
const timestamp = '2023-07-19T14:56:51.634234626Z'
const notification = JSON.stringify({
  subscription: { id: 'f1c2a387-161a-49f9-a165-0f21d7a4e1c4', type: 'channel.follow', version: '2', status: 'enabled' },
  event: { user_id: '1234', user_login: 'cool_user', broadcaster_user_id: '1337' },
})
const verification = JSON.stringify({
  challenge: 'pogchamp-kappa-360noscope-vohiyo',
  subscription: {
    id: 'f1c2a387-161a-49f9-a165-0f21d7a4e1c4',
    type: 'channel.follow',
    status: 'webhook_callback_verification_pending',
  },
})
const revocation = JSON.stringify({
  subscription: { id: 'f1c2a387-161a-49f9-a165-0f21d7a4e1c4', type: 'channel.follow', status: 'authorization_revoked' },
})

function headers(type: string, body: string, id = 'e76c6bd4-55c9-4987-8304-da1588d8988b', key = secret) {
  return {
    'content-type': 'application/json',
    'twitch-eventsub-message-id': id,
    'twitch-eventsub-message-timestamp': timestamp,
    'twitch-eventsub-message-type': type,
    'twitch-eventsub-subscription-type': 'channel.follow',
    'twitch-eventsub-message-signature': `sha256=${createHmac('sha256', key)
      .update(id + timestamp + body)
      .digest('hex')}`,
  }
}

async function send(head: Record<string, string>, body: string, at = nowMs) {
  const events: WebhookEvent[] = []
  const guard = createGuard({ verify: [twitch({ secret })], enqueue: (e) => void events.push(e), now: () => at })
  const response = await guard.handle(new Request('http://hooks.test/twitch', { method: 'POST', headers: head, body }))
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text(), events }
}

describe('twitch preset', () => {
  test('a signed notification is enqueued with its message id, subscription type and timestamp', async () => {
    const result = await send(headers('notification', notification), notification)
    expect(result.status).toBe(202)
    expect(result.events.map((e) => [e.id, e.type, e.timestamp])).toEqual([
      ['e76c6bd4-55c9-4987-8304-da1588d8988b', 'channel.follow', Math.floor(nowMs / 1000)],
    ])
  })

  test('the verification is answered text/plain with the challenge; a bad signature is 401', async () => {
    const ok = await send(headers('webhook_callback_verification', verification), verification)
    expect(ok).toMatchObject({
      status: 200,
      type: 'text/plain; charset=utf-8',
      text: 'pogchamp-kappa-360noscope-vohiyo',
    })
    expect(ok.events).toEqual([])
    const forged = headers('webhook_callback_verification', verification, undefined, 'not the secret')
    expect((await send(forged, verification)).status).toBe(401)
  })

  test('a revocation is enqueued as type revocation', async () => {
    const result = await send(headers('revocation', revocation), revocation)
    expect(result.status).toBe(202)
    expect(result.events.map((e) => e.type)).toEqual(['revocation'])
  })

  test('a timestamp older than ten minutes is refused; the id and timestamp are signed', async () => {
    const stale = await send(headers('notification', notification), notification, nowMs + 601_000)
    expect(stale.status).toBe(401)
    expect(JSON.parse(stale.text).code).toBe('timestamp_too_old')
    expect((await send(headers('notification', notification), notification, nowMs + 599_000)).status).toBe(202)
    const moved = { ...headers('notification', notification), 'twitch-eventsub-message-id': 'another-id' }
    expect(JSON.parse((await send(moved, notification)).text).code).toBe('invalid_signature')
  })

  test('RFC 3339 times parse strictly', () => {
    expect(checkRfc3339('2023-07-19T14:56:51Z', nowMs, 600)).toBe(Math.floor(nowMs / 1000))
    expect(checkRfc3339('2023-07-19T16:56:51.5+02:00', nowMs, 600)).toBe(Math.floor(nowMs / 1000))
    for (const bad of ['1689778611', '2023-07-19 14:56:51Z', '2023-07-19T14:56:51', undefined]) {
      expect(() => checkRfc3339(bad, nowMs, 600)).toThrow(expect.objectContaining({ code: 'invalid_timestamp' }))
    }
  })

  test('options are checked at creation', () => {
    expect(() => twitch({ secret: '' })).toThrow('twitch: secret[0] must be')
    expect(() => twitch({ secret, toleranceSeconds: 0 })).toThrow('twitch: toleranceSeconds must be')
  })
})

describe('twitch with a key resolver (many tenants on one endpoint)', () => {
  test("the tenant's own secret accepted, another's refused, an unknown tenant 401 after one lookup; a failing lookup 503", async () => {
    let messages = 0
    await expectTenantKeys({
      verifier: (resolve) => twitch({ secret: resolve }),
      request: (key, tenant) => ({
        method: 'POST',
        path: `/hooks/twitch/${tenant}`,
        headers: headers('notification', notification, `message-${messages++}`, key),
        body: notification,
      }),
      refusal: 'invalid_signature',
      guard: { now: () => nowMs },
    })
  })
})
