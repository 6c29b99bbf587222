import { createHmac } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { createGuard } from '../guard.js'
import type { WebhookEvent } from '../types.js'
import { vercel } from './vercel.js'

const secret = 'vercel-webhook-secret-0123456789'
const body = JSON.stringify({
  id: 'uHpP7ilkbfQ3n9nYy1Dk4I7m',
  type: 'deployment.succeeded',
  payload: { url: 'a.vercel.app' },
})

// As Vercel documents it: hex of the HMAC-SHA1 of the raw body, keyed with the secret.
const sign = (content: string, key = secret) => createHmac('sha1', key).update(content).digest('hex')

async function send(headers: Record<string, string>, payload = body) {
  const events: WebhookEvent[] = []
  const guard = createGuard({ verify: [vercel({ secret })], enqueue: (event) => void events.push(event) })
  const response = await guard.handle(
    new Request('http://hooks.test/vercel', {
      method: 'POST',
      body: payload,
      headers: { 'content-type': 'application/json', ...headers },
    }),
  )
  return { status: response.status, code: ((await response.json()) as { code: string }).code, events }
}

describe('vercel preset', () => {
  test('accepted: id and type from the payload, no timestamp', async () => {
    const { status, events } = await send({ 'x-vercel-signature': sign(body) })
    expect(status).toBe(202)
    expect(events[0]).toMatchObject({ id: 'uHpP7ilkbfQ3n9nYy1Dk4I7m', type: 'deployment.succeeded', timestamp: null })
  })

  test('tampered body, wrong secret, SHA-256 instead of SHA-1, missing header', async () => {
    expect(await send({ 'x-vercel-signature': sign(body) }, body.replace('a.vercel', 'b.vercel'))).toMatchObject({
      status: 401,
      code: 'invalid_signature',
    })
    expect((await send({ 'x-vercel-signature': sign(body, 'another') })).code).toBe('invalid_signature')
    const sha256 = createHmac('sha256', secret).update(body).digest('hex')
    expect((await send({ 'x-vercel-signature': sha256 })).code).toBe('invalid_signature')
    expect((await send({})).code).toBe('missing_signature')
  })

  test('options', () => {
    expect(() => vercel({ secret: '' })).toThrow('vercel: secret[0] must be a non-empty string or Uint8Array')
    expect(() => vercel(undefined as never)).toThrow('vercel needs an options object')
  })
})
