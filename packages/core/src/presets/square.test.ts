import { WebhooksHelper } from 'square'
import { describe, expect, test } from 'vitest'
import { squareSignature } from '../../test-support/sign.js'
import { expectTenantKeys, tenantSecrets } from '../../test-support/tenant-presets.js'
import { createGuard } from '../guard.js'
import type { WebhookEvent } from '../types.js'
import { square } from './square.js'

const signatureKey = 'square-signature-key-abcdef0123456789'
const notificationUrl = 'https://example.com/hooks/square'
const body = JSON.stringify({
  merchant_id: 'MLEFBHHSJGVHD',
  type: 'payment.updated',
  event_id: '6a8f5f28-54a1-4eb0-a98a-3111513fd4fc',
  created_at: '2026-12-01T12:00:00.000Z',
  data: {
    type: 'payment',
    id: 'KkAkhdMsgzn59SM8A89WgKwekxLZY',
    object: { payment: { amount_money: { amount: 1000 } } },
  },
})

async function send(headers: Record<string, string>, payload = body) {
  const events: WebhookEvent[] = []
  const guard = createGuard({
    verify: [square({ signatureKey, notificationUrl })],
    enqueue: (e) => void events.push(e),
  })
  const response = await guard.handle(
    new Request('http://internal:8080/hooks/square', {
      method: 'POST',
      body: payload,
      headers: { 'content-type': 'application/json', 'square-retry-number': '0', ...headers },
    }),
  )
  return { status: response.status, code: ((await response.json()) as { code: string }).code, events }
}

const verifiedBySdk = (requestBody: string, signatureHeader: string, url = notificationUrl) =>
  WebhooksHelper.verifySignature({ requestBody, signatureHeader, signatureKey, notificationUrl: url })

describe("square preset, against square's WebhooksHelper.verifySignature", () => {
  const signature = squareSignature(signatureKey, notificationUrl, body)

  test('accepted, as the SDK accepts it; id event_id, type type', async () => {
    expect(await verifiedBySdk(body, signature)).toBe(true)
    const { status, events } = await send({ 'x-square-hmacsha256-signature': signature })
    expect(status).toBe(202)
    expect(events[0]).toMatchObject({ id: '6a8f5f28-54a1-4eb0-a98a-3111513fd4fc', type: 'payment.updated' })
    expect(events[0]?.headers['square-retry-number']).toBe('0')
  })

  test('tampered body, wrong key, another notification URL: refused, as the SDK refuses them', async () => {
    const tampered = body.replace('1000', '1')
    expect(await verifiedBySdk(tampered, signature)).toBe(false)
    expect(await send({ 'x-square-hmacsha256-signature': signature }, tampered)).toMatchObject({
      status: 401,
      code: 'invalid_signature',
    })
    const wrongKey = squareSignature('another-key', notificationUrl, body)
    expect(await verifiedBySdk(body, wrongKey)).toBe(false)
    expect((await send({ 'x-square-hmacsha256-signature': wrongKey })).code).toBe('invalid_signature')
    const otherUrl = squareSignature(signatureKey, 'https://example.com/hooks/other', body)
    expect(await verifiedBySdk(body, otherUrl)).toBe(false)
    expect((await send({ 'x-square-hmacsha256-signature': otherUrl })).code).toBe('invalid_signature')
    expect((await send({})).code).toBe('missing_signature')
  })

  test('no timestamp: the same delivery re-sent under another event_id is a duplicate', async () => {
    const events: WebhookEvent[] = []
    const guard = createGuard({
      verify: [square({ signatureKey, notificationUrl })],
      enqueue: (e) => void events.push(e),
    })
    const post = () =>
      guard.handle(
        new Request('http://internal/hooks/square', {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json', 'x-square-hmacsha256-signature': signature },
        }),
      )
    expect((await post()).status).toBe(202)
    expect((await post()).status).toBe(200)
    expect(events).toHaveLength(1)
  })

  test('notificationUrl is checked at creation', () => {
    expect(() => square({ signatureKey, notificationUrl: 'example.com/hooks' })).toThrow(
      "square: notificationUrl must be an absolute http(s) URL, e.g. 'https://example.com/hooks/square'",
    )
    expect(() => square({ signatureKey, notificationUrl: 'https://example.com/{body}' })).toThrow(
      /notificationUrl must be/,
    )
    expect(() => square({ signatureKey: [], notificationUrl })).toThrow(
      'square: signatureKey must be one value or a non-empty list',
    )
  })
})

describe('square with a key resolver (many tenants on one endpoint)', () => {
  // One subscription per tenant, each with its own notification URL and signature key.
  const perTenant = 'https://example.com/hooks/square/{tenant}'
  const request = (secret: string, tenant: string) => ({
    method: 'POST',
    path: `/hooks/square/${tenant}`,
    headers: {
      'content-type': 'application/json',
      'x-square-hmacsha256-signature': squareSignature(secret, `https://example.com/hooks/square/${tenant}`, body),
    },
    body,
  })

  test("the tenant's own key accepted, another's refused, an unknown tenant 401 after one lookup; a failing lookup 503", async () => {
    await expectTenantKeys({
      verifier: (resolve) => square({ signatureKey: resolve, notificationUrl: perTenant }),
      request,
      refusal: 'invalid_signature',
    })
  })

  test("{tenant} in the notification URL is the request's tenant, as the SDK signs each subscription's URL", async () => {
    const url = 'https://example.com/hooks/square/acme'
    const signature = squareSignature(tenantSecrets.acme, url, body)
    expect(
      await WebhooksHelper.verifySignature({
        requestBody: body,
        signatureHeader: signature,
        signatureKey: tenantSecrets.acme,
        notificationUrl: url,
      }),
    ).toBe(true)
    const verifier = square({ signatureKey: tenantSecrets.acme, notificationUrl: perTenant })
    const named = createGuard({ verify: [verifier], enqueue: () => {}, tenant: { param: 'tenant' } })
    const deliver = (tenant: string) => named.process({ ...request(tenantSecrets.acme, 'acme'), params: { tenant } })
    expect((await deliver('acme')).code).toBe('accepted')
    // The same key, but the URL of another tenant's subscription: not what Square signed.
    expect((await deliver('globex')).code).toBe('invalid_signature')
    // A guard that names no tenant cannot fill {tenant}: refused, never signed with an empty tenant.
    const unnamed = createGuard({ verify: [verifier], enqueue: () => {} })
    expect((await unnamed.process(request(tenantSecrets.acme, 'acme'))).code).toBe('invalid_signature')
    expect(() => square({ signatureKey: 'k', notificationUrl: 'https://example.com/{tenant}/{body}' })).toThrow(
      'square: notificationUrl must be an absolute http(s) URL',
    )
  })
})
