import { createHash, createHmac } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { createGuard } from '../guard.js'
import type { WebhookEvent } from '../types.js'
import { lemonSqueezy } from './lemon-squeezy.js'

const secret = 'lemon-signing-secret'
const body = JSON.stringify({
  meta: { event_name: 'order_created', custom_data: { user: 7 } },
  data: { type: 'orders', id: '1', attributes: { total: 999, created_at: '2026-11-30T10:00:00.000000Z' } },
})

// As Lemon Squeezy documents it: hex of the HMAC-SHA256 of the raw body, keyed with the signing secret.
const sign = (content: string, key = secret) => createHmac('sha256', key).update(content).digest('hex')

async function send(guard: ReturnType<typeof createGuard>, headers: Record<string, string>, payload = body) {
  const response = await guard.handle(
    new Request('http://hooks.test/lemon', {
      method: 'POST',
      body: payload,
      headers: { 'content-type': 'application/json', 'x-event-name': 'order_created', ...headers },
    }),
  )
  return { status: response.status, code: ((await response.json()) as { code: string }).code }
}

function guardWith(events: WebhookEvent[]) {
  return createGuard({ verify: [lemonSqueezy({ secret })], enqueue: (event) => void events.push(event) })
}

describe('lemonSqueezy preset', () => {
  test('accepted: the id is the SHA-256 of the body, the type meta.event_name; a retry is a duplicate', async () => {
    const events: WebhookEvent[] = []
    const guard = guardWith(events)
    expect(await send(guard, { 'x-signature': sign(body) })).toMatchObject({ status: 202 })
    expect(events[0]).toMatchObject({
      id: createHash('sha256').update(body).digest('hex'),
      type: 'order_created',
      timestamp: null,
    })
    expect(events[0]?.headers['x-event-name']).toBe('order_created')
    expect(await send(guard, { 'x-signature': sign(body) })).toMatchObject({ status: 200, code: 'duplicate' })
    const other = body.replace('"1"', '"2"')
    expect(await send(guard, { 'x-signature': sign(other) }, other)).toMatchObject({ status: 202 })
    expect(events).toHaveLength(2)
  })

  test('tampered body, wrong secret, missing header', async () => {
    const guard = guardWith([])
    expect(await send(guard, { 'x-signature': sign(body) }, body.replace('999', '1'))).toMatchObject({
      status: 401,
      code: 'invalid_signature',
    })
    expect((await send(guard, { 'x-signature': sign(body, 'other') })).code).toBe('invalid_signature')
    expect((await send(guard, {})).code).toBe('missing_signature')
  })

  test('options', () => {
    expect(() => lemonSqueezy({ secret: [] })).toThrow('lemon-squeezy: secret must be one value or a non-empty list')
    expect(() => lemonSqueezy(null as never)).toThrow('lemonSqueezy needs an options object')
  })
})
