import { createHmac } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { shopifySignature } from '../../test-support/sign.js'
import { createGuard } from '../guard.js'
import type { WebhookEvent } from '../types.js'
import { shopify } from './shopify.js'

const secret = 'shpss_0123456789abcdef0123456789abcdef'
const body = JSON.stringify({ id: 820982911946154500, email: 'jon@example.com', total_price: '10.00' })

// As Shopify documents it: base64 of the HMAC-SHA256 of the raw body, keyed with the app's client secret.
const sign = (content: string, key = secret) => shopifySignature(key, content)

async function send(headers: Record<string, string>, payload = body) {
  const events: WebhookEvent[] = []
  const guard = createGuard({ verify: [shopify({ secret })], enqueue: (event) => void events.push(event) })
  const response = await guard.handle(
    new Request('http://hooks.test/shopify', {
      method: 'POST',
      body: payload,
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': 'orders/create',
        'x-shopify-shop-domain': 'example.myshopify.com',
        'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
        ...headers,
      },
    }),
  )
  return { status: response.status, code: ((await response.json()) as { code: string }).code, events }
}

describe('shopify preset', () => {
  test('accepted: id from X-Shopify-Event-Id, type from X-Shopify-Topic', async () => {
    const { status, events } = await send({ 'x-shopify-hmac-sha256': sign(body), 'x-shopify-event-id': 'ev-98880550' })
    expect(status).toBe(202)
    expect(events[0]).toMatchObject({ id: 'ev-98880550', type: 'orders/create', timestamp: null })
    expect(events[0]?.headers['x-shopify-shop-domain']).toBe('example.myshopify.com')
  })

  test('the id falls back to X-Shopify-Webhook-Id', async () => {
    const { status, events } = await send({ 'x-shopify-hmac-sha256': sign(body) })
    expect(status).toBe(202)
    expect(events[0]?.id).toBe('b54557e4-bdd9-4b37-8a5f-bf7d70bcd043')
  })

  test('tampered body, wrong secret, hex instead of base64, missing header', async () => {
    expect(await send({ 'x-shopify-hmac-sha256': sign(body) }, body.replace('10.00', '0.01'))).toMatchObject({
      status: 401,
      code: 'invalid_signature',
    })
    expect((await send({ 'x-shopify-hmac-sha256': sign(body, 'shpss_other') })).code).toBe('invalid_signature')
    const hex = createHmac('sha256', secret).update(body).digest('hex')
    expect((await send({ 'x-shopify-hmac-sha256': hex })).code).toBe('invalid_signature')
    expect((await send({})).code).toBe('missing_signature')
  })
})

describe("shopify preset, Shopify's new header names (shopify-*, no x- prefix)", () => {
  const current = {
    'shopify-topic': 'orders/paid',
    'shopify-shop-domain': 'example.myshopify.com',
    'shopify-webhook-id': 'c6a1e0f2-5b0e-4d5e-9c39-3f0c1a2b3c4d',
  }

  async function sendNew(headers: Record<string, string>, payload = body) {
    const events: WebhookEvent[] = []
    const guard = createGuard({ verify: [shopify({ secret })], enqueue: (event) => void events.push(event) })
    const response = await guard.handle(
      new Request('http://hooks.test/shopify', {
        method: 'POST',
        body: payload,
        headers: { 'content-type': 'application/json', ...current, ...headers },
      }),
    )
    return { status: response.status, code: ((await response.json()) as { code: string }).code, events }
  }

  test('accepted with only the new names: id from Shopify-Event-Id, type from Shopify-Topic', async () => {
    const { status, events } = await sendNew({ 'shopify-hmac-sha256': sign(body), 'shopify-event-id': 'ev-1' })
    expect(status).toBe(202)
    expect(events[0]).toMatchObject({ id: 'ev-1', type: 'orders/paid', timestamp: null })
    expect(events[0]?.headers['shopify-shop-domain']).toBe('example.myshopify.com')
    expect(events[0]?.headers['shopify-hmac-sha256']).toBeUndefined()
  })

  test('the id falls back to Shopify-Webhook-Id', async () => {
    const { status, events } = await sendNew({ 'shopify-hmac-sha256': sign(body) })
    expect(status).toBe(202)
    expect(events[0]?.id).toBe('c6a1e0f2-5b0e-4d5e-9c39-3f0c1a2b3c4d')
  })

  test('tampered body and wrong secret are refused under the new name too', async () => {
    expect(await sendNew({ 'shopify-hmac-sha256': sign(body) }, body.replace('10.00', '0.01'))).toMatchObject({
      status: 401,
      code: 'invalid_signature',
    })
    expect((await sendNew({ 'shopify-hmac-sha256': sign(body, 'shpss_other') })).code).toBe('invalid_signature')
  })

  test('both names sent: the new one is checked, a valid old one does not rescue a forged new one', async () => {
    const both = { 'shopify-hmac-sha256': sign(body), 'x-shopify-hmac-sha256': sign(body) }
    expect((await sendNew(both)).status).toBe(202)
    const forged = { 'shopify-hmac-sha256': sign(body, 'shpss_other'), 'x-shopify-hmac-sha256': sign(body) }
    expect((await sendNew(forged)).code).toBe('invalid_signature')
  })
})
