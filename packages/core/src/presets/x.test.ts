import { createHmac } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import {
  countingResolver,
  expectTenantKeys,
  type TenantPreset,
  tenantGuard,
  tenantSecrets,
} from '../../test-support/tenant-presets.js'
import { createGuard } from '../guard.js'
import type { WebhookEvent } from '../types.js'
import { x } from './x.js'

// X's sample CRC code ("Securing webhooks"): its example consumer secret and token.
const consumerSecret = 'z3ZX4v7mAAUGykl3EcmkqbartmuW8VFOOzCloLx9Q45P0hLrFu'
const crcToken = '9b4507b3-9040-4669-9ca3-6b94edb50553'
const activity = JSON.stringify({
  for_user_id: '2244994945',
  favorite_events: [{ id: 'a7ba59eab0bfcba386f7acedac279542', created_at: 'Mon Mar 26 16:33:26 +0000 2018' }],
})

function guard(crcPerMinute?: number, nowMs = 1_700_000_000_000) {
  const events: WebhookEvent[] = []
  const g = createGuard({
    verify: [x({ consumerSecret, ...(crcPerMinute ? { crcPerMinute } : {}) })],
    enqueue: (e) => void events.push(e),
    now: () => nowMs,
  })
  return { events, g }
}

const get = (g: ReturnType<typeof guard>['g'], query: string) =>
  g.handle(new Request(`http://hooks.test/x${query}`, { method: 'GET' }))

describe('x preset', () => {
  test('the CRC is answered sha256= + base64 HMAC of the token, JSON', async () => {
    const { g, events } = guard()
    const response = await get(g, `?crc_token=${crcToken}`)
    const expected = `sha256=${createHmac('sha256', consumerSecret).update(crcToken).digest('base64')}`
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(await response.json()).toEqual({ response_token: expected })
    expect(events).toEqual([])
  })

  test('a token of the wrong shape or length is 400, never signed', async () => {
    const { g } = guard()
    for (const token of ['short', 'a'.repeat(129), '%3Cb%3E12345678', '']) {
      const response = await get(g, `?crc_token=${token}`)
      const text = await response.text()
      expect({ status: response.status, code: JSON.parse(text).code }).toEqual({
        status: 400,
        code: 'invalid_challenge',
      })
      expect(text).not.toContain('response_token')
    }
  })

  test('past crcPerMinute answers a CRC is 429 handshake_rate_limited with Retry-After, until the bucket refills', async () => {
    const { g } = guard(3)
    for (let i = 0; i < 3; i++) expect((await get(g, `?crc_token=${crcToken}`)).status).toBe(200)
    const limited = await get(g, `?crc_token=${crcToken}`)
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/)
    expect(await limited.json()).toMatchObject({ code: 'handshake_rate_limited' })
  })

  test('signed events are enqueued with the body digest id and the activity type; a bad signature is 401', async () => {
    const { g, events } = guard()
    const signature = `sha256=${createHmac('sha256', consumerSecret).update(activity).digest('base64')}`
    const post = (sig: string) =>
      g.handle(
        new Request('http://hooks.test/x', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': sig },
          body: activity,
        }),
      )
    expect((await post(signature)).status).toBe(202)
    expect(events.map((e) => e.type)).toEqual(['favorite_events'])
    expect(events[0]?.id).toMatch(/^body-sha256:/)
    expect((await post(`sha256=${createHmac('sha256', 'other').update(activity).digest('base64')}`)).status).toBe(401)
  })

  test('options are checked at creation', () => {
    expect(() => x({ consumerSecret: '' })).toThrow('x: consumerSecret[0] must be')
    expect(() => x({ consumerSecret, crcPerMinute: 0 })).toThrow('x: crcPerMinute must be')
  })
})

describe('x with a key resolver (many tenants on one endpoint)', () => {
  const signed = (secret: string, tenant: string) => ({
    method: 'POST',
    path: `/hooks/x/${tenant}`,
    headers: {
      'content-type': 'application/json',
      'x-twitter-webhooks-signature': `sha256=${createHmac('sha256', secret).update(activity).digest('base64')}`,
    },
    body: activity,
  })
  const preset: TenantPreset = {
    verifier: (resolve) => x({ consumerSecret: resolve }),
    request: signed,
    refusal: 'invalid_signature',
  }
  const crc = (tenant: string) => ({
    method: 'GET',
    path: `/hooks/x/${tenant}`,
    query: `crc_token=${crcToken}`,
    headers: {},
    params: { tenant },
    body: '',
  })
  const answerWith = (secret: string) =>
    JSON.stringify({ response_token: `sha256=${createHmac('sha256', secret).update(crcToken).digest('base64')}` })

  test("the tenant's own secret accepted, another's refused, an unknown tenant 401 after one lookup; a failing lookup 503", async () => {
    await expectTenantKeys(preset)
  })

  test("the CRC is answered with the requesting tenant's secret; an unknown tenant gets no answer", async () => {
    const { lookups, resolve } = countingResolver()
    const { guard } = tenantGuard(preset, x({ consumerSecret: resolve }))
    const acme = await guard.process(crc('acme'))
    expect({ status: acme.status, body: acme.body }).toEqual({ status: 200, body: answerWith(tenantSecrets.acme) })
    const globex = await guard.process(crc('globex'))
    expect({ status: globex.status, body: globex.body }).toEqual({
      status: 200,
      body: answerWith(tenantSecrets.globex),
    })
    const unknown = await guard.process(crc('initech'))
    expect({ status: unknown.status, code: unknown.code }).toEqual({ status: 401, code: 'invalid_signature' })
    expect(unknown.body).not.toContain('response_token')
    // The CRC and the events share the tenant's cached secrets.
    expect((await guard.process({ ...signed(tenantSecrets.acme, 'acme'), params: { tenant: 'acme' } })).code).toBe(
      'accepted',
    )
    expect(lookups).toEqual(['acme', 'globex', 'initech'])
    const failing = tenantGuard(
      preset,
      x({
        consumerSecret: () => {
          throw new Error('database down')
        },
      }),
    )
    const down = await failing.guard.process(crc('acme'))
    expect({ status: down.status, code: down.code }).toEqual({ status: 503, code: 'keys_unavailable' })
  })

  test('crcPerMinute counts per tenant: one tenant past it does not stop another', async () => {
    const { resolve } = countingResolver()
    const { guard } = tenantGuard(preset, x({ consumerSecret: resolve, crcPerMinute: 2 }))
    for (let i = 0; i < 2; i++) expect((await guard.process(crc('acme'))).status).toBe(200)
    expect((await guard.process(crc('acme'))).code).toBe('handshake_rate_limited')
    expect((await guard.process(crc('globex'))).status).toBe(200)
  })
})
