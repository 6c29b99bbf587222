import { randomBytes } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { expectTenantKeys, tenantGuard } from '../../test-support/tenant-keys.js'
import { createGuard } from '../guard.js'
import type { WebhookEvent } from '../types.js'
import { postmark } from './postmark.js'

const password = 'pm-hook-5ecret'
// What Postmark sends for https://postmark:<password>@example.com/hooks: RFC 7617 Basic credentials.
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`

// Postmark's documented sample payloads (abridged).
const delivery = {
  RecordType: 'Delivery',
  ServerID: 23,
  MessageStream: 'outbound',
  MessageID: '00000000-0000-0000-0000-000000000000',
  Recipient: 'john@example.com',
  DeliveredAt: '2019-11-05T16:33:54.9070259Z',
}
const open = (receivedAt: string) => ({
  RecordType: 'Open',
  MessageStream: 'outbound',
  FirstOpen: true,
  MessageID: '00000000-0000-0000-0000-000000000000',
  ReceivedAt: receivedAt,
})
// A bounce's `ID` is an int64 beyond a JSON number's precision: `BouncedAt` tells bounces apart instead.
const bounce = { RecordType: 'Bounce', Type: 'HardBounce', MessageID: 'b-1', BouncedAt: '2019-11-05T16:33:54Z' }
const inbound = { FromFull: { Email: 'a@example.com' }, MessageID: '22c74902-a0c1-4511-804f-341342852c90' }

async function send(
  authorization: string | undefined,
  payload: unknown,
  verifier = postmark({ username: 'postmark', password }),
) {
  const events: WebhookEvent[] = []
  const guard = createGuard({ verify: [verifier], enqueue: (event) => void events.push(event) })
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (authorization !== undefined) headers.authorization = authorization
  const response = await guard.handle(
    new Request('http://hooks.test/postmark', { method: 'POST', body: JSON.stringify(payload), headers }),
  )
  return { status: response.status, code: ((await response.json()) as { code: string }).code, event: events[0] }
}

describe('postmark preset: HTTP Basic credentials from the webhook URL; nothing signed', () => {
  test('the URL credentials are accepted; the id and type come from RecordType and MessageID', async () => {
    const result = await send(basic('postmark', password), delivery)
    expect(result).toMatchObject({ status: 202, code: 'accepted' })
    expect(result.event).toMatchObject({ id: `Delivery:${delivery.MessageID}`, type: 'Delivery' })
    expect(result.event?.auth[0]?.verifier).toBe('postmark')
  })

  test('record types that repeat per message get the field that tells them apart; inbound has no RecordType', async () => {
    const first = await send(basic('postmark', password), open('2019-11-05T16:33:54Z'))
    const second = await send(basic('postmark', password), open('2019-11-05T17:00:00Z'))
    expect(first.event?.id).toBe(`Open:${delivery.MessageID}:2019-11-05T16:33:54Z`)
    expect(second.event?.id).not.toBe(first.event?.id)
    expect((await send(basic('postmark', password), bounce)).event?.id).toBe('Bounce:b-1:2019-11-05T16:33:54Z')
    expect((await send(basic('postmark', password), inbound)).event?.id).toBe(`Inbound:${inbound.MessageID}`)
  })

  test('a wrong password or user is invalid_token; no credentials is missing_credentials', async () => {
    expect(await send(basic('postmark', 'guess'), delivery)).toMatchObject({ status: 401, code: 'invalid_token' })
    expect((await send(basic('someone', password), delivery)).code).toBe('invalid_token')
    expect(await send(undefined, delivery)).toMatchObject({ status: 401, code: 'missing_credentials' })
  })

  test('a password rotation accepts both; bad options fail at creation', async () => {
    const rotating = postmark({ username: 'postmark', password: ['old-pass', 'new-pass'] })
    expect((await send(basic('postmark', 'old-pass'), delivery, rotating)).status).toBe(202)
    expect((await send(basic('postmark', 'new-pass'), delivery, rotating)).status).toBe(202)
    expect(() => postmark({ username: '', password })).toThrow('postmark: username must be a non-empty string')
    expect(() => postmark({ username: 'a:b', password })).toThrow('postmark: username must be a user name without ":"')
    expect(() => postmark({ username: 'u', password: [] })).toThrow(
      'postmark: password must be one value or a non-empty list',
    )
    expect(() => postmark({ username: 'u', password: [''] })).toThrow(
      'postmark: password[0] must be a non-empty string',
    )
  })
})

describe('postmark per tenant', () => {
  test("a password resolver: the tenant's own password accepted, another's refused, an unknown tenant 401, a failing lookup 503", async () => {
    await expectTenantKeys({
      refusal: 'invalid_token',
      newKey: () => {
        const tenantPassword = randomBytes(12).toString('hex')
        return { key: tenantPassword, signer: tenantPassword }
      },
      verifier: (keys) => postmark({ username: 'postmark', password: keys }),
      request: (tenantPassword, n) => ({
        headers: { authorization: basic('postmark', tenantPassword) },
        body: JSON.stringify({ ...delivery, MessageID: `m-${n}` }),
      }),
    })
  })

  test('the user name is the one configured for every tenant; a resolved empty password is a failed lookup', async () => {
    const { send: sendAs } = tenantGuard(postmark({ username: 'postmark', password: () => 'acme-pass' }))
    const payload = { headers: {}, body: JSON.stringify(delivery) }
    expect(
      (await sendAs('acme', { ...payload, headers: { authorization: basic('postmark', 'acme-pass') } })).code,
    ).toBe('accepted')
    expect((await sendAs('acme', { ...payload, headers: { authorization: basic('acme', 'acme-pass') } })).code).toBe(
      'invalid_token',
    )
    const { send: sendEmpty } = tenantGuard(postmark({ username: 'postmark', password: () => [''] }))
    const reply = await sendEmpty('acme', { ...payload, headers: { authorization: basic('postmark', 'x') } })
    expect(reply.code).toBe('keys_unavailable')
  })
})
