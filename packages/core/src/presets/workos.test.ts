import { createHmac } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { createGuard } from '../guard.js'
import type { WebhookEvent } from '../types.js'
import { workos } from './workos.js'

// `@workos-inc/node` needs Node >= 22.11, above this repo's Node 20, so the test follows WorkOS's documented
// scheme (https://workos.com/docs/events/data-syncing/webhooks): `WorkOS-Signature: t=<ms>, v1=<hex>`, the
// HMAC-SHA256 of `${t}.${body}`, refused when t is over 180 s old.
const secret = 'wos_webhook_0123456789abcdef'
const body = JSON.stringify({
  id: 'event_01HQ5X6F0AXFQ7B9T6C3E3QJ4R',
  event: 'user.created',
  data: { object: 'user', id: 'user_01E4ZCR3C56J083X43JQXF3JK5', email: 'todd@example.com' },
  created_at: '2024-02-21T19:35:06.000Z',
})
const header = (t: number, content = body, key = secret) =>
  `t=${t}, v1=${createHmac('sha256', key).update(`${t}.${content}`).digest('hex')}`

async function send(signature: string | undefined, content = body) {
  const events: WebhookEvent[] = []
  const guard = createGuard({ verify: [workos({ secret })], enqueue: (event) => void events.push(event) })
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (signature !== undefined) headers['workos-signature'] = signature
  const response = await guard.handle(
    new Request('http://hooks.test/workos', { method: 'POST', body: content, headers }),
  )
  return { status: response.status, code: ((await response.json()) as { code: string }).code, event: events[0] }
}

describe("workos preset, against WorkOS's documented scheme", () => {
  test('accepted with the payload id and event; the millisecond timestamp lands as seconds', async () => {
    const t = Date.now() - 5_000
    const result = await send(header(t))
    expect(result).toMatchObject({ status: 202, code: 'accepted' })
    expect(result.event).toMatchObject({
      id: 'event_01HQ5X6F0AXFQ7B9T6C3E3QJ4R',
      type: 'user.created',
      timestamp: Math.floor(t / 1000),
    })
  })

  test('tampered body, wrong secret, over 180 s old or ahead, seconds instead of ms, no header', async () => {
    const t = Date.now()
    expect(await send(header(t), body.replace('todd', 'mallory'))).toMatchObject({
      status: 401,
      code: 'invalid_signature',
    })
    expect((await send(header(t, body, 'other'))).code).toBe('invalid_signature')
    expect((await send(header(t - 200_000))).code).toBe('timestamp_too_old')
    expect((await send(header(t + 200_000))).code).toBe('timestamp_too_new')
    expect((await send(header(Math.floor(t / 1000)))).code).toBe('timestamp_too_old')
    expect((await send(undefined)).code).toBe('missing_signature')
  })
})
