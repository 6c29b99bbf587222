import { createHash, generateKeyPairSync, sign } from 'node:crypto'
import { EventWebhook } from '@sendgrid/eventwebhook'
import { describe, expect, test } from 'vitest'
import { expectTenantKeys, tenantNowSeconds } from '../../test-support/tenant-keys.js'
import { createGuard } from '../guard.js'
import type { WebhookEvent } from '../types.js'
import { sendgrid } from './sendgrid.js'

const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
// As SendGrid's Mail Settings show the verification key: base64 of the DER SubjectPublicKeyInfo, no PEM armor.
const shownKey = publicKey.export({ format: 'der', type: 'spki' }).toString('base64')
const body = JSON.stringify([
  { email: 'a@example.com', event: 'processed', sg_event_id: 'rbtnWrG1DVDGGGFHFyun0A', timestamp: 1700000000 },
  { email: 'a@example.com', event: 'delivered', sg_event_id: 'ZwJKMf0jR4yLVw2xXwVfWQ', timestamp: 1700000001 },
])
// What SendGrid sends: base64 DER ECDSA P-256 / SHA-256 of timestamp + body.
const signOf = (timestamp: string, content: string) =>
  sign('sha256', Buffer.from(timestamp + content), privateKey).toString('base64')

async function send(headers: Record<string, string>, content = body, key: string | string[] = shownKey) {
  const events: WebhookEvent[] = []
  const guard = createGuard({ verify: [sendgrid({ publicKey: key })], enqueue: (event) => void events.push(event) })
  const response = await guard.handle(
    new Request('http://hooks.test/sendgrid', {
      method: 'POST',
      body: content,
      headers: { 'content-type': 'application/json', ...headers },
    }),
  )
  return { status: response.status, code: ((await response.json()) as { code: string }).code, event: events[0] }
}

const headersFor = (timestamp: string, signature: string) => ({
  'x-twilio-email-event-webhook-timestamp': timestamp,
  'x-twilio-email-event-webhook-signature': signature,
})

describe("sendgrid preset, against @sendgrid/eventwebhook's verifySignature", () => {
  const sdk = new EventWebhook()
  const sdkKey = sdk.convertPublicKeyToECDSA(shownKey)

  test('accepted what the SDK accepts; the id is the body SHA-256, the signed timestamp is kept', async () => {
    const timestamp = String(Math.floor(Date.now() / 1000) - 3)
    const signature = signOf(timestamp, body)
    expect(sdk.verifySignature(sdkKey, body, signature, timestamp)).toBe(true)
    const result = await send(headersFor(timestamp, signature))
    expect(result).toMatchObject({ status: 202, code: 'accepted' })
    expect(result.event).toMatchObject({
      id: createHash('sha256').update(body).digest('hex'),
      timestamp: Number(timestamp),
    })
    const pem = publicKey.export({ format: 'pem', type: 'spki' }) as string
    expect((await send(headersFor(timestamp, signature), body, pem)).status).toBe(202) // a PEM key works too
  })

  test('what the SDK refuses is refused: tampered body, a moved timestamp, another key', async () => {
    const timestamp = String(Math.floor(Date.now() / 1000))
    const signature = signOf(timestamp, body)
    const tampered = body.replace('delivered', 'bounce')
    expect(sdk.verifySignature(sdkKey, tampered, signature, timestamp)).toBe(false)
    expect(await send(headersFor(timestamp, signature), tampered)).toMatchObject({
      status: 401,
      code: 'invalid_signature',
    })
    const moved = String(Number(timestamp) - 1)
    expect(sdk.verifySignature(sdkKey, body, signature, moved)).toBe(false)
    expect((await send(headersFor(moved, signature))).code).toBe('invalid_signature')
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey
    const otherKey = other.export({ format: 'der', type: 'spki' }).toString('base64')
    expect(sdk.verifySignature(sdk.convertPublicKeyToECDSA(otherKey), body, signature, timestamp)).toBe(false)
    expect((await send(headersFor(timestamp, signature), body, otherKey)).code).toBe('invalid_signature')
  })

  test('a stale timestamp (which the SDK does not check) and a missing signature are refused; rotation', async () => {
    const stale = String(Math.floor(Date.now() / 1000) - 600)
    expect((await send(headersFor(stale, signOf(stale, body)))).code).toBe('timestamp_too_old')
    expect((await send({ 'x-twilio-email-event-webhook-timestamp': stale })).code).toBe('missing_signature')
    const timestamp = String(Math.floor(Date.now() / 1000))
    const old = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'der', type: 'spki' })
    expect(
      (await send(headersFor(timestamp, signOf(timestamp, body)), body, [old.toString('base64'), shownKey])).status,
    ).toBe(202)
    expect(() => sendgrid({ publicKey: 'not-a-key' })).toThrow(
      /sendgrid: publicKey\[0\] must be a ecdsa-p256-sha256 public key/,
    )
    expect(() => sendgrid({ publicKey: [] })).toThrow('sendgrid: publicKey must be one value or a non-empty list')
  })
})

describe('sendgrid per tenant', () => {
  test("a key resolver: the tenant's own key accepted, another's refused, an unknown tenant 401, a failing lookup 503", async () => {
    await expectTenantKeys({
      refusal: 'invalid_signature',
      newKey: () => {
        const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' })
        // The key as SendGrid shows it (bare base64 DER), put in PEM armor once per lookup.
        return {
          key: pair.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
          signer: pair.privateKey,
        }
      },
      verifier: (keys) => sendgrid({ publicKey: keys }),
      request: (key, n) => {
        const timestamp = String(tenantNowSeconds)
        const content = JSON.stringify([{ event: 'processed', sg_event_id: `e-${n}`, timestamp: tenantNowSeconds }])
        const signature = sign('sha256', Buffer.from(timestamp + content), key).toString('base64')
        return { headers: headersFor(timestamp, signature), body: content }
      },
    })
  })
})
