import { Signature } from '@hubspot/api-client'
import { describe, expect, test } from 'vitest'
import { expectTenantKeys, tenantNowSeconds } from '../../test-support/tenant-presets.js'
import { createGuard } from '../guard.js'
import type { WebhookEvent } from '../types.js'
import { hubspot } from './hubspot.js'

const clientSecret = 'hubspot-client-secret-0123456789'
const publicUrl = 'https://example.com'
const path = '/hooks/hubspot?portal=62515'
const url = `${publicUrl}${path}`
const now = 1_760_000_000_000
const body = JSON.stringify([
  { eventId: 100, subscriptionId: 1, portalId: 62515, occurredAt: now - 1000, subscriptionType: 'contact.creation' },
  { eventId: 101, subscriptionId: 1, portalId: 62515, occurredAt: now - 900, subscriptionType: 'contact.creation' },
])

/** As @hubspot/api-client computes a v3 signature (its `Signature.getSignature`). */
const sign = (
  timestamp: number,
  options: { method?: string; uri?: string; requestBody?: string; secret?: string } = {},
) =>
  Signature.getSignature(options.method ?? 'POST', 'v3', {
    clientSecret: options.secret ?? clientSecret,
    requestBody: options.requestBody ?? body,
    url: options.uri ?? url,
    timestamp,
    signature: '',
  })

async function send(headers: Record<string, string>, init: { payload?: string; target?: string; clock?: number } = {}) {
  const events: WebhookEvent[] = []
  const guard = createGuard({
    verify: [hubspot({ clientSecret, publicUrl })],
    enqueue: (event) => void events.push(event),
    now: () => init.clock ?? now,
  })
  const response = await guard.handle(
    new Request(`http://internal:8080${init.target ?? path}`, {
      method: 'POST',
      body: init.payload ?? body,
      headers: { 'content-type': 'application/json', ...headers },
    }),
  )
  return { status: response.status, code: ((await response.json()) as { code: string }).code, events }
}

const signed = (timestamp: number, signature = sign(timestamp)) => ({
  'x-hubspot-signature-v3': signature,
  'x-hubspot-request-timestamp': String(timestamp),
})

describe("hubspot preset (signature v3), against @hubspot/api-client's Signature", () => {
  test('accepted, as Signature.isValid accepts it; the id is the body digest, the type the batch subscriptionType', async () => {
    const timestamp = Date.now() - 2000
    const signature = sign(timestamp)
    const isValid = Signature.isValid({
      signatureVersion: 'v3',
      clientSecret,
      requestBody: body,
      url,
      timestamp,
      signature,
    })
    expect(isValid).toBe(true)
    const { status, events } = await send(signed(timestamp), { clock: timestamp + 2000 })
    expect(status).toBe(202)
    expect(events[0]?.id).toMatch(/^body-sha256:/)
    expect(events[0]).toMatchObject({ type: 'contact.creation', timestamp: Math.floor(timestamp / 1000) })
  })

  test('HubSpot signs the URI with some escapes undone (its documentation): %3A in the query is signed as :', async () => {
    const timestamp = now - 1000
    const signature = sign(timestamp, { uri: `${publicUrl}/hooks/hubspot?at=12:30` })
    expect((await send(signed(timestamp, signature), { target: '/hooks/hubspot?at=12%3A30' })).status).toBe(202)
  })

  test('tampered body, wrong secret, another URL, another method: refused', async () => {
    const timestamp = now - 1000
    const tampered = body.replace('contact.creation', 'contact.deletion')
    expect(await send(signed(timestamp), { payload: tampered })).toMatchObject({
      status: 401,
      code: 'invalid_signature',
    })
    const wrong = sign(timestamp, { secret: 'another-secret' })
    expect((await send(signed(timestamp, wrong))).code).toBe('invalid_signature')
    const otherUrl = sign(timestamp, { uri: `${publicUrl}/hooks/other?portal=62515` })
    expect((await send(signed(timestamp, otherUrl))).code).toBe('invalid_signature')
    const get = sign(timestamp, { method: 'GET' })
    expect((await send(signed(timestamp, get))).code).toBe('invalid_signature')
    expect((await send({ 'x-hubspot-request-timestamp': String(timestamp) })).code).toBe('missing_signature')
  })

  test('a timestamp more than 5 minutes old (or ahead) is refused, as Signature.isValid refuses the old one', async () => {
    const stale = now - 300_001
    expect(() =>
      Signature.isValid({
        signatureVersion: 'v3',
        clientSecret,
        requestBody: body,
        url,
        timestamp: Date.now() - 300_001,
        signature: sign(Date.now() - 300_001),
      }),
    ).toThrow(/Timestamp is invalid/)
    expect((await send(signed(stale))).code).toBe('timestamp_too_old')
    expect((await send(signed(now - 300_000))).status).toBe(202)
    expect((await send(signed(now + 300_001))).code).toBe('timestamp_too_new')
  })

  test('a mixed batch has no type; options are checked', async () => {
    const mixed = JSON.stringify([{ subscriptionType: 'contact.creation' }, { subscriptionType: 'deal.creation' }])
    const timestamp = now - 10
    const { events } = await send(signed(timestamp, sign(timestamp, { requestBody: mixed })), { payload: mixed })
    expect(events[0]?.type).toBeNull()
    expect(() => hubspot({ clientSecret: '', publicUrl })).toThrow(
      'hubspot: clientSecret[0] must be a non-empty string',
    )
    expect(() => hubspot({ clientSecret, publicUrl: 'ftp://example.com' })).toThrow(/hubspot: publicUrl must be/)
  })
})

describe('hubspot with a key resolver (many tenants on one endpoint)', () => {
  test("the tenant's own secret accepted, another's refused, an unknown tenant 401 after one lookup; a failing lookup 503", async () => {
    await expectTenantKeys({
      verifier: (resolve) => hubspot({ clientSecret: resolve, publicUrl }),
      request: (secret, tenant) => {
        const timestamp = tenantNowSeconds * 1000
        const signature = sign(timestamp, { secret, uri: `${publicUrl}/hooks/hubspot/${tenant}` })
        return {
          method: 'POST',
          path: `/hooks/hubspot/${tenant}`,
          headers: { 'content-type': 'application/json', ...signed(timestamp, signature) },
          body,
        }
      },
      refusal: 'invalid_signature',
    })
  })
})
