import { createHmac } from 'node:crypto'
import { LinearWebhookClient } from '@linear/sdk/webhooks'
import { describe, expect, test } from 'vitest'
import { createGuard } from '../guard.js'
import type { WebhookEvent } from '../types.js'
import { linear } from './linear.js'

const secret = 'lin_wh_0123456789abcdefghijklmnopqrstuvwxyz'

/** A Linear payload sent at `sentMs` (its `webhookTimestamp`). */
const payload = (sentMs: number, title = 'Fix the login page') =>
  JSON.stringify({
    action: 'create',
    type: 'Issue',
    data: { id: 'b6d9b1a6-7c1d-4e0b-9f77-2b0f5a0e1c11', title },
    url: 'https://linear.app/acme/issue/ENG-1',
    createdAt: new Date(sentMs).toISOString(),
    webhookTimestamp: sentMs,
    webhookId: '000042e3-d123-4980-b49f-8e140eef9329',
  })
// What Linear sends: hex of the HMAC-SHA256 of the raw body.
const sign = (content: string, key = secret) => createHmac('sha256', key).update(content).digest('hex')

async function send(headers: Record<string, string>, body: string, options: { toleranceSeconds?: number } = {}) {
  const events: WebhookEvent[] = []
  const guard = createGuard({ verify: [linear({ secret, ...options })], enqueue: (event) => void events.push(event) })
  const response = await guard.handle(
    new Request('http://hooks.test/linear', {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'linear-delivery': '234d1a4e-b617-4388-90fe-adc3633d6b72',
        'linear-event': 'Issue',
        ...headers,
      },
    }),
  )
  return { status: response.status, code: ((await response.json()) as { code: string }).code, events }
}

describe("linear preset, against @linear/sdk's LinearWebhookClient.verify", () => {
  const sdk = new LinearWebhookClient(secret)

  test('accepted what the SDK accepts: id from Linear-Delivery, type from the payload, the signed timestamp', async () => {
    const sentMs = Date.now() - 2_000
    const body = payload(sentMs)
    expect(sdk.verify(Buffer.from(body), sign(body), sentMs)).toBe(true)
    const { status, events } = await send({ 'linear-signature': sign(body) }, body)
    expect(status).toBe(202)
    expect(events[0]).toMatchObject({
      id: '234d1a4e-b617-4388-90fe-adc3633d6b72',
      type: 'Issue',
      timestamp: Math.floor(sentMs / 1000),
    })
    expect(events[0]?.headers['linear-event']).toBe('Issue')
  })

  test('what the SDK refuses is refused: tampered body, wrong secret, a webhookTimestamp over 60 s away', async () => {
    const body = payload(Date.now())
    const tampered = body.replace('Fix the login', 'Delete the login')
    expect(() => sdk.verify(Buffer.from(tampered), sign(body), Date.now())).toThrow()
    expect(await send({ 'linear-signature': sign(body) }, tampered)).toMatchObject({
      status: 401,
      code: 'invalid_signature',
    })
    expect((await send({ 'linear-signature': sign(body, 'other') }, body)).code).toBe('invalid_signature')
    const oldMs = Date.now() - 120_000
    const old = payload(oldMs)
    expect(() => sdk.verify(Buffer.from(old), sign(old), oldMs)).toThrow(/timestamp/)
    expect((await send({ 'linear-signature': sign(old) }, old)).code).toBe('timestamp_too_old')
    const ahead = payload(Date.now() + 120_000)
    expect((await send({ 'linear-signature': sign(ahead) }, ahead)).code).toBe('timestamp_too_new')
    // A fresh, unsigned Linear-Timestamp header does not rescue a stale signed body.
    const rescue = { 'linear-signature': sign(old), 'linear-timestamp': String(Date.now()) }
    expect((await send(rescue, old)).code).toBe('timestamp_too_old')
    expect((await send({}, body)).code).toBe('missing_signature')
  })

  test('a signed body without webhookTimestamp is refused; a wider window when asked', async () => {
    const bare = JSON.stringify({ type: 'Issue', action: 'create' })
    expect(await send({ 'linear-signature': sign(bare) }, bare)).toMatchObject({
      status: 401,
      code: 'invalid_timestamp',
    })
    const old = payload(Date.now() - 120_000)
    expect((await send({ 'linear-signature': sign(old) }, old, { toleranceSeconds: 300 })).status).toBe(202)
    expect(() => linear({ secret, toleranceSeconds: Number.NaN })).toThrow(
      'linear: toleranceSeconds must be a positive number',
    )
  })
})
