import { createHmac } from 'node:crypto'
import { NodeRuntime, WebhooksValidator } from '@paddle/paddle-node-sdk'
import { describe, expect, test } from 'vitest'
import { createGuard } from '../guard.js'
import type { WebhookEvent } from '../types.js'
import { paddle } from './paddle.js'

const secret = 'pdl_ntfset_01gkpjp8bkm3tm53kdgkx6sms7_6h3qd3uFSi9YCD3OLYAShQI90XTI5vEI'
const body = JSON.stringify({
  event_id: 'evt_01h8bzakzx3hm2fmen703n5q45',
  event_type: 'transaction.completed',
  occurred_at: '2026-11-30T10:00:00.000Z',
  data: { id: 'txn_01h8bz', status: 'completed' },
})

// What Paddle sends: `ts=<unix>;h1=<hex HMAC-SHA256 of "ts:body">`.
const sign = (ts: number, content = body, key = secret) =>
  `ts=${ts};h1=${createHmac('sha256', key).update(`${ts}:${content}`).digest('hex')}`
// What `new Paddle(apiKey)` does first: the validator computes its HMAC through the runtime's crypto.
NodeRuntime.initialize()

const now = () => Math.floor(Date.now() / 1000)

async function send(signature: string | undefined, payload = body) {
  const events: WebhookEvent[] = []
  const guard = createGuard({ verify: [paddle({ secret })], enqueue: (event) => void events.push(event) })
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (signature !== undefined) headers['paddle-signature'] = signature
  const response = await guard.handle(
    new Request('http://hooks.test/paddle', { method: 'POST', body: payload, headers }),
  )
  return { status: response.status, code: ((await response.json()) as { code: string }).code, events }
}

describe("paddle preset, against @paddle/paddle-node-sdk's WebhooksValidator", () => {
  test('accepted what the SDK accepts: event_id, event_type and the signed ts', async () => {
    const ts = now()
    const signature = sign(ts)
    expect(await new WebhooksValidator().isValidSignature(body, secret, signature)).toBe(true)
    const { status, events } = await send(signature)
    expect(status).toBe(202)
    expect(events[0]).toMatchObject({
      id: 'evt_01h8bzakzx3hm2fmen703n5q45',
      type: 'transaction.completed',
      timestamp: ts,
    })
  })

  test('what the SDK refuses is refused: tampered body, wrong secret, older than its 5 s', async () => {
    const ts = now()
    const tampered = body.replace('completed"}', 'refunded"}')
    expect(await new WebhooksValidator().isValidSignature(tampered, secret, sign(ts))).toBe(false)
    expect(await send(sign(ts), tampered)).toMatchObject({ status: 401, code: 'invalid_signature' })
    const wrong = sign(ts, body, 'pdl_ntfset_other')
    expect(await new WebhooksValidator().isValidSignature(body, secret, wrong)).toBe(false)
    expect((await send(wrong)).code).toBe('invalid_signature')
    const stale = sign(ts - 30)
    expect(await new WebhooksValidator().isValidSignature(body, secret, stale)).toBe(false)
    expect((await send(stale)).code).toBe('timestamp_too_old')
    expect((await send(sign(ts + 30))).code).toBe('timestamp_too_new')
    expect((await send(undefined)).code).toBe('missing_signature')
    expect((await send(`h1=${'0'.repeat(64)}`)).code).toBe('invalid_timestamp')
  })

  test('a wider window when asked; options', async () => {
    const guard = createGuard({ verify: [paddle({ secret, toleranceSeconds: 60 })], enqueue: () => {} })
    const headers = { 'paddle-signature': sign(now() - 30) }
    expect((await guard.handle(new Request('http://h.test/', { method: 'POST', body, headers }))).status).toBe(202)
    expect(() => paddle({ secret, toleranceSeconds: 0 })).toThrow('paddle: toleranceSeconds must be a positive number')
    expect(() => paddle({ secret: '' })).toThrow('paddle: secret[0]')
  })
})
