import { describe, expect, test } from 'vitest'
import { expectTenantKeys } from '../../test-support/tenant-presets.js'
import { createGuard } from '../guard.js'
import type { WebhookEvent } from '../types.js'
import { okta } from './okta.js'

// Okta's "Event hooks" guide: the verification request and an event delivery's envelope.
const secret = 'hookguard okta event hook secret'
const challenge = 'X1XJLdiLk0BoVqUqySOtS9UNE4pnxbodT1M_c2Yo'
const delivery = (types: string[]) =>
  JSON.stringify({
    eventType: 'com.okta.event_hook',
    eventTypeVersion: '1.0',
    cloudEventsVersion: '0.1',
    source: 'https://example.okta.com/api/v1/eventHooks/whoql0HfiLGPWc8Jx0g3',
    eventId: 'b5a188b9-5ece-4636-b041-482ffda96311',
    eventTime: '2019-03-27T16:59:53.032Z',
    contentType: 'application/json',
    data: { events: types.map((eventType, i) => ({ uuid: `uuid-${i}`, eventType, version: '0' })) },
  })

function guard(header?: string) {
  const events: WebhookEvent[] = []
  const g = createGuard({
    verify: [okta({ secret, ...(header ? { header } : {}) })],
    enqueue: (e) => void events.push(e),
  })
  return { events, g }
}

describe('okta preset', () => {
  test('the verification GET with the secret header is answered { verification }, nothing enqueued', async () => {
    const { g, events } = guard()
    const response = await g.handle(
      new Request('http://hooks.test/okta', {
        headers: { authorization: secret, 'x-okta-verification-challenge': challenge },
      }),
    )
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(await response.json()).toEqual({ verification: challenge })
    expect(events).toEqual([])
  })

  test('the verification GET needs the secret too; a malformed challenge is 400', async () => {
    const { g } = guard()
    const ask = (headers: Record<string, string>) => g.handle(new Request('http://hooks.test/okta', { headers }))
    const without = await ask({ 'x-okta-verification-challenge': challenge })
    expect({ status: without.status, code: (await without.json()).code }).toEqual({
      status: 401,
      code: 'missing_credentials',
    })
    const wrong = await ask({ authorization: 'guessed', 'x-okta-verification-challenge': challenge })
    expect({ status: wrong.status, code: (await wrong.json()).code }).toEqual({ status: 401, code: 'invalid_token' })
    const odd = await ask({ authorization: secret, 'x-okta-verification-challenge': '<b>hi</b>' })
    expect({ status: odd.status, code: (await odd.json()).code }).toEqual({ status: 400, code: 'invalid_challenge' })
    expect((await ask({ authorization: secret })).status).toBe(405)
  })

  test('a delivery is enqueued with eventId and the batch type (shared, else the envelope type)', async () => {
    const { g, events } = guard('x-okta-secret')
    const post = (body: string) =>
      g.handle(
        new Request('http://hooks.test/okta', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-okta-secret': secret },
          body,
        }),
      )
    expect((await post(delivery(['user.session.start', 'user.session.start']))).status).toBe(202)
    expect((await post(delivery(['user.session.start', 'user.lifecycle.create']))).status).toBe(200) // same eventId
    expect(events.map((e) => [e.id, e.type])).toEqual([['b5a188b9-5ece-4636-b041-482ffda96311', 'user.session.start']])
    const mixed = createGuard({ verify: [okta({ secret })], enqueue: (e) => void events.push(e), dedupe: false })
    await mixed.handle(
      new Request('http://hooks.test/okta', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: secret },
        body: delivery(['user.session.start', 'user.lifecycle.create']),
      }),
    )
    expect(events[1]?.type).toBe('com.okta.event_hook')
  })

  test('options are checked at creation', () => {
    expect(() => okta({ secret: '' })).toThrow('okta: secret[0] must be')
    expect(() => okta({ secret, header: 'bad header' })).toThrow('okta: header must be')
  })
})

describe('okta with a key resolver (many tenants on one endpoint)', () => {
  test("the tenant's own secret accepted, another's refused, an unknown tenant 401 after one lookup; a failing lookup 503", async () => {
    await expectTenantKeys({
      verifier: (resolve) => okta({ secret: resolve }),
      request: (key, tenant) => ({
        method: 'POST',
        path: `/hooks/okta/${tenant}`,
        headers: { 'content-type': 'application/json', authorization: key },
        body: delivery(['user.session.start']),
      }),
      refusal: 'invalid_token',
    })
  })

  test("the verification GET of a tenant needs that tenant's secret", async () => {
    const secrets: Record<string, string> = { acme: 'acme okta secret', globex: 'globex okta secret' }
    const g = createGuard({
      verify: [okta({ secret: ({ tenant }) => secrets[tenant as string] ?? null })],
      enqueue: () => {},
      tenant: { param: 'tenant' },
    })
    const ask = (key: string, tenant: string) =>
      g.process({
        method: 'GET',
        headers: { authorization: key, 'x-okta-verification-challenge': challenge },
        params: { tenant },
        body: '',
      })
    const answered = await ask('acme okta secret', 'acme')
    expect({ status: answered.status, body: JSON.parse(answered.body) }).toEqual({
      status: 200,
      body: { verification: challenge },
    })
    expect((await ask('acme okta secret', 'globex')).code).toBe('invalid_token')
    expect((await ask('acme okta secret', 'initech')).code).toBe('invalid_token')
  })
})
