import Stripe from 'stripe'
import { describe, expect, test } from 'vitest'
import { createGuard } from '../guard.js'
import type { WebhookEvent } from '../types.js'
import { stripe } from './stripe.js'

const client = new Stripe('sk_test_hookguard')
const secret = 'whsec_test_hookguard_0123456789abcdef'
const body = JSON.stringify({ id: 'evt_1Q2w3E', object: 'event', type: 'invoice.paid', data: { object: {} } })
const now = () => Math.floor(Date.now() / 1000)

async function send(signature: string | undefined, options: { secret?: string | string[]; payload?: string } = {}) {
  const events: WebhookEvent[] = []
  const guard = createGuard({
    verify: [stripe({ secret: options.secret ?? secret })],
    enqueue: (event) => void events.push(event),
  })
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' }
  if (signature !== undefined) headers['stripe-signature'] = signature
  const response = await guard.handle(
    new Request('http://hooks.test/stripe', { method: 'POST', body: options.payload ?? body, headers }),
  )
  return { status: response.status, code: ((await response.json()) as { code: string }).code, events }
}

describe('stripe preset, against the stripe package', () => {
  test('accepts generateTestHeaderString, with id and type from the payload', async () => {
    const timestamp = now()
    const header = client.webhooks.generateTestHeaderString({ payload: body, secret, timestamp })
    // The stripe package agrees that this header is valid.
    expect(client.webhooks.constructEvent(body, header, secret).id).toBe('evt_1Q2w3E')
    const { status, events } = await send(header)
    expect(status).toBe(202)
    expect(events[0]).toMatchObject({ id: 'evt_1Q2w3E', type: 'invoice.paid', timestamp })
    expect(events[0]?.auth).toEqual([{ verifier: 'stripe' }])
  })

  test('several v1 entries (a rolling secret) and a v0 entry', async () => {
    const timestamp = now()
    const header = client.webhooks.generateTestHeaderString({ payload: body, secret, timestamp })
    const v1 = header.split(',v1=')[1]
    const rolled = client.webhooks.generateTestHeaderString({ payload: body, secret: 'whsec_old', timestamp })
    const old = rolled.split(',v1=')[1]
    expect((await send(`t=${timestamp},v1=${old},v1=${v1},v0=${'0'.repeat(64)}`)).status).toBe(202)
    expect((await send(`t=${timestamp},v1=${old}`, { secret: ['whsec_old', secret] })).status).toBe(202)
    expect((await send(`t=${timestamp},v0=${v1}`)).code).toBe('invalid_signature')
  })

  test('tampered body', async () => {
    const header = client.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: now() })
    const tampered = body.replace('invoice.paid', 'invoice.voided')
    expect(await send(header, { payload: tampered })).toMatchObject({ status: 401, code: 'invalid_signature' })
  })

  test('stale and future timestamps (300 s, as the stripe package)', async () => {
    const stale = client.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: now() - 301 })
    expect(() => client.webhooks.constructEvent(body, stale, secret)).toThrow()
    expect(await send(stale)).toMatchObject({ status: 401, code: 'timestamp_too_old' })
    const future = client.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: now() + 600 })
    expect((await send(future)).code).toBe('timestamp_too_new')
  })

  test('wrong secret and a missing header', async () => {
    const header = client.webhooks.generateTestHeaderString({ payload: body, secret: 'whsec_other', timestamp: now() })
    expect(await send(header)).toMatchObject({ status: 401, code: 'invalid_signature' })
    expect(await send(undefined)).toMatchObject({ status: 401, code: 'missing_signature' })
  })

  test('options', () => {
    // @ts-expect-error secret is required
    expect(() => stripe({})).toThrow(/stripe: secret/)
    expect(() => stripe({ secret, toleranceSeconds: -1 })).toThrow(/toleranceSeconds/)
  })
})
