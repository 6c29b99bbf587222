import { describe, expect, test } from 'vitest'
import { mailgunSignature } from '../../test-support/sign.js'
import { expectTenantKeys, tenantNowSeconds } from '../../test-support/tenant-presets.js'
import { createGuard } from '../guard.js'
import type { WebhookEvent } from '../types.js'
import { mailgun } from './mailgun.js'

// Mailgun's documentation publishes the recipe (hex HMAC-SHA256 of timestamp + token, keyed with the
// webhook signing key) and the shape of the signature object, but no key with its signature: the vectors
// are made here with that recipe and plain node:crypto, in the documented shape.
const signingKey = 'key-0123456789abcdef0123456789abcdef'
const now = 1_770_920_772
const token = 'e0b5477167110d68991efc6b9f89f0a11066af27834600e123'

function delivery(
  options: { timestamp?: string; token?: string; key?: string; eventData?: object; parent?: string } = {},
) {
  const timestamp = options.timestamp ?? String(now - 5)
  const sigToken = options.token ?? token
  return JSON.stringify({
    signature: {
      token: sigToken,
      timestamp,
      signature: mailgunSignature(options.key ?? signingKey, timestamp, sigToken),
      ...(options.parent ? { 'parent-signature': options.parent } : {}),
    },
    'event-data': options.eventData ?? {
      id: 'CPgfbmQMTCKtHW6uIWtuVe',
      event: 'delivered',
      timestamp: now - 6,
      recipient: 'alice@example.com',
    },
  })
}

async function send(body: string, guard = newGuard()) {
  const response = await guard.guard.handle(
    new Request('http://internal/hooks/mailgun', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    }),
  )
  return { status: response.status, code: ((await response.json()) as { code: string }).code, events: guard.events }
}

function newGuard(keys: string | string[] = signingKey) {
  const events: WebhookEvent[] = []
  const guard = createGuard({
    verify: [mailgun({ signingKey: keys })],
    enqueue: (e) => void events.push(e),
    now: () => now * 1000,
  })
  return { guard, events }
}

describe("mailgun preset, against the recipe and shapes of Mailgun's documentation", () => {
  test('accepted: id event-data.id, type event-data.event, the signed timestamp', async () => {
    const { status, events } = await send(delivery())
    expect(status).toBe(202)
    expect(events[0]).toMatchObject({ id: 'CPgfbmQMTCKtHW6uIWtuVe', type: 'delivered', timestamp: now - 5 })
  })

  test('wrong key, tampered token or timestamp, stale or future timestamp, no signature: refused', async () => {
    expect((await send(delivery({ key: 'key-other' }))).code).toBe('invalid_signature')
    const body = JSON.parse(delivery())
    body.signature.token = `${token.slice(0, -1)}4`
    expect((await send(JSON.stringify(body))).code).toBe('invalid_signature')
    const moved = JSON.parse(delivery())
    moved.signature.timestamp = String(now - 4)
    expect((await send(JSON.stringify(moved))).code).toBe('invalid_signature')
    expect((await send(delivery({ timestamp: String(now - 301) }))).code).toBe('timestamp_too_old')
    expect((await send(delivery({ timestamp: String(now + 301) }))).code).toBe('timestamp_too_new')
    expect((await send(JSON.stringify({ 'event-data': {} }))).code).toBe('missing_signature')
    expect((await send('token=abc')).code).toBe('missing_signature')
  })

  test('the token is accepted once: its signature over another event-data is a duplicate', async () => {
    const guard = newGuard()
    expect((await send(delivery(), guard)).status).toBe(202)
    const swapped = delivery({ eventData: { id: 'forged-id', event: 'failed' } })
    expect((await send(swapped, guard)).status).toBe(200)
    expect(guard.events.map((e) => e.id)).toEqual(['CPgfbmQMTCKtHW6uIWtuVe'])
  })

  test("a subaccount's parent-signature with the primary account's key; rotation", async () => {
    const primary = 'key-primary-account'
    const parent = mailgunSignature(primary, String(now - 5), token)
    const body = delivery({ key: 'key-subaccount', parent })
    expect((await send(body, newGuard(primary))).status).toBe(202)
    expect((await send(delivery({ key: 'key-new' }), newGuard(['key-old', 'key-new']))).status).toBe(202)
  })

  test('options are checked at creation', () => {
    expect(() => mailgun({ signingKey: '' })).toThrow('mailgun: signingKey[0] must be a non-empty string')
    expect(() => mailgun({ signingKey, toleranceSeconds: 0 })).toThrow(
      'mailgun: toleranceSeconds must be a positive number',
    )
  })
})

describe('mailgun with a key resolver (many tenants on one endpoint)', () => {
  test("the tenant's own key accepted, another's refused, an unknown tenant 401 after one lookup; a failing lookup 503", async () => {
    let tokens = 0
    await expectTenantKeys({
      verifier: (resolve) => mailgun({ signingKey: resolve }),
      request: (key, tenant) => {
        const timestamp = String(tenantNowSeconds)
        const sigToken = `${tenant}-token-${tokens++}`.padEnd(50, '0')
        const signature = { token: sigToken, timestamp, signature: mailgunSignature(key, timestamp, sigToken) }
        const eventData = { id: `event-${tokens}`, event: 'delivered' }
        return {
          method: 'POST',
          path: `/hooks/mailgun/${tenant}`,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ signature, 'event-data': eventData }),
        }
      },
      refusal: 'invalid_signature',
    })
  })
})
