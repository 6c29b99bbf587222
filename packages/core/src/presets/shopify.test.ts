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
