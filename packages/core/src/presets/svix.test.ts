import { randomBytes } from 'node:crypto'
import { Webhook as StandardWebhook } from 'standardwebhooks'
import { Webhook } from 'svix'
import { describe, expect, test } from 'vitest'
import { createGuard } from '../guard.js'
import type { WebhookEvent } from '../types.js'
import { standardWebhooks } from '../verify/standard-webhooks.js'
import { svix } from './svix.js'

const secret = `whsec_${randomBytes(24).toString('base64')}`
const body = JSON.stringify({ type: 'user.created', data: { id: 'u_1' } })

async function send(headers: Record<string, string>, options: { payload?: string; secret?: string } = {}) {
  const events: WebhookEvent[] = []
  const guard = createGuard({
    verify: [svix({ secret: options.secret ?? secret })],
    enqueue: (event) => void events.push(event),
  })
  const response = await guard.handle(
    new Request('http://hooks.test/svix', {
      method: 'POST',
      body: options.payload ?? body,
      headers: { 'content-type': 'application/json', ...headers },
    }),
  )
  return { status: response.status, code: ((await response.json()) as { code: string }).code, events }
}

function svixHeaders(id: string, date: Date, signer = new Webhook(secret), payload = body) {
  return {
    'svix-id': id,
    'svix-timestamp': String(Math.floor(date.getTime() / 1000)),
    'svix-signature': signer.sign(id, date, payload),
  }
}

describe('svix preset, against the svix and standardwebhooks packages', () => {
  test('accepts what svix signs, named svix on the event', async () => {
    const headers = svixHeaders('msg_2abc', new Date())
    expect(() => new Webhook(secret).verify(body, headers)).not.toThrow() // svix 2 returns nothing; a refusal throws
    const { status, events } = await send(headers)
    expect(status).toBe(202)
    expect(events[0]).toMatchObject({ id: 'msg_2abc', type: 'user.created' })
    expect(events[0]?.auth).toEqual([{ verifier: 'svix' }])
  })

  test('accepts what standardwebhooks signs under webhook-* names', async () => {
    const date = new Date()
    const signature = new StandardWebhook(secret).sign('msg_std', date, body)
    const headers = {
      'webhook-id': 'msg_std',
      'webhook-timestamp': String(Math.floor(date.getTime() / 1000)),
      'webhook-signature': signature,
    }
    expect((await send(headers)).status).toBe(202)
  })

  test('tampered, stale and wrong secret', async () => {
    expect(await send(svixHeaders('msg_t', new Date()), { payload: body.replace('u_1', 'u_2') })).toMatchObject({
      status: 401,
      code: 'invalid_signature',
    })
    expect((await send(svixHeaders('msg_s', new Date(Date.now() - 10 * 60_000)))).code).toBe('timestamp_too_old')
    const other = new Webhook(`whsec_${randomBytes(24).toString('base64')}`)
    expect((await send(svixHeaders('msg_w', new Date(), other))).code).toBe('invalid_signature')
  })

  test('is standardWebhooks under another name', () => {
    const a = svix({ secret })
    const b = standardWebhooks({ secret })
    expect(a.name).toBe('svix')
    expect(a.keepHeaders).toEqual(b.keepHeaders)
    expect(() => svix({ secret: 'whsec_not base64!' })).toThrow(TypeError)
  })
})
