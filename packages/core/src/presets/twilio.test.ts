import { createHash } from 'node:crypto'
import twilioSdk from 'twilio'
import { describe, expect, test } from 'vitest'
import {
  countingResolver,
  expectTenantKeys,
  type TenantPreset,
  tenantGuard,
  tenantSecrets,
} from '../../test-support/tenant-presets.js'
import { createGuard } from '../guard.js'
import type { GuardOptions } from '../options.js'
import type { WebhookEvent } from '../types.js'
import { twilio } from './twilio.js'

const authToken = '12345abcdef67890fedcba09876543210'
const publicUrl = 'https://example.com'
const path = '/hooks/twilio?source=sms'
const url = `${publicUrl}${path}`
const params = { To: '+15550100', From: '+15550111', Body: 'Hi there & welcome', MessageSid: 'SM123', NumMedia: '0' }
const form = new URLSearchParams(params).toString()

async function send(
  init: { target?: string; body?: string; headers: Record<string, string>; remoteAddress?: string },
  guardOptions: Partial<GuardOptions> = {},
  options = { authToken, publicUrl } as Parameters<typeof twilio>[0],
) {
  const events: WebhookEvent[] = []
  const guard = createGuard({ verify: [twilio(options)], enqueue: (event) => void events.push(event), ...guardOptions })
  const response = await guard.handle(
    new Request(`http://internal:3000${init.target ?? path}`, {
      method: 'POST',
      body: init.body ?? form,
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', ...init.headers },
    }),
    { remoteAddress: init.remoteAddress ?? '10.1.2.3' },
  )
  return { status: response.status, code: ((await response.json()) as { code: string }).code, events }
}

describe("twilio preset, against the twilio package's getExpectedTwilioSignature / validateRequest", () => {
  const signature = twilioSdk.getExpectedTwilioSignature(authToken, url, params)

  test('a form delivery signed by the SDK is accepted; the SDK agrees', async () => {
    expect(twilioSdk.validateRequest(authToken, signature, url, params)).toBe(true)
    const headers = { 'x-twilio-signature': signature, 'i-twilio-idempotency-token': 'idem-1' }
    const { status, events } = await send({ headers })
    expect(status).toBe(202)
    expect(events[0]).toMatchObject({ id: 'idem-1', type: null, timestamp: null })
    expect(events[0]?.auth).toEqual([{ verifier: 'twilio' }])
  })

  test('without the idempotency token the id is the signature digest; a re-send is a duplicate', async () => {
    const events: WebhookEvent[] = []
    const guard = createGuard({ verify: [twilio({ authToken, publicUrl })], enqueue: (e) => void events.push(e) })
    const request = () =>
      new Request(`http://internal${path}`, {
        method: 'POST',
        body: form,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      })
    expect((await guard.handle(request())).status).toBe(202)
    expect(events[0]?.id).toBe(`twilio-signature:${signature}`)
    expect((await guard.handle(request())).status).toBe(200)
  })

  test('repeated parameters: distinct values sorted, as the SDK signs them', async () => {
    const media = { ...params, MediaUrl: ['https://b.example/2', 'https://a.example/1'] }
    const body = `${form}&MediaUrl=${encodeURIComponent('https://b.example/2')}&MediaUrl=${encodeURIComponent('https://a.example/1')}`
    const signed = twilioSdk.getExpectedTwilioSignature(authToken, url, media)
    expect((await send({ body, headers: { 'x-twilio-signature': signed } })).status).toBe(202)
  })

  test('the URL with the default port (Twilio signs either form; the SDK accepts both)', async () => {
    const withPort = twilioSdk.getExpectedTwilioSignature(authToken, `https://example.com:443${path}`, params)
    expect(twilioSdk.validateRequest(authToken, withPort, url, params)).toBe(true)
    expect((await send({ headers: { 'x-twilio-signature': withPort } })).status).toBe(202)
  })

  test('tampered body, wrong token, wrong URL, missing signature: refused, and the SDK refuses them too', async () => {
    const tampered = form.replace('welcome', 'goodbye')
    const tamperedParams = { ...params, Body: 'Hi there & goodbye' }
    expect(twilioSdk.validateRequest(authToken, signature, url, tamperedParams)).toBe(false)
    expect(await send({ body: tampered, headers: { 'x-twilio-signature': signature } })).toMatchObject({
      status: 401,
      code: 'invalid_signature',
    })
    const wrongToken = twilioSdk.getExpectedTwilioSignature('0'.repeat(32), url, params)
    expect((await send({ headers: { 'x-twilio-signature': wrongToken } })).code).toBe('invalid_signature')
    const otherUrl = 'https://example.com/hooks/other?source=sms'
    const forOther = twilioSdk.getExpectedTwilioSignature(authToken, otherUrl, params)
    expect(twilioSdk.validateRequest(authToken, forOther, url, params)).toBe(false)
    expect((await send({ headers: { 'x-twilio-signature': forOther } })).code).toBe('invalid_signature')
    expect((await send({ headers: {} })).code).toBe('missing_signature')
  })

  test('a JSON body: signed through bodySHA256, checked as validateRequestWithBody does', async () => {
    const body = JSON.stringify({ CallSid: 'CA123', CallStatus: 'completed' })
    const hash = createHash('sha256').update(body).digest('hex')
    const jsonPath = `/hooks/twilio?bodySHA256=${hash}`
    const jsonUrl = `${publicUrl}${jsonPath}`
    const signed = twilioSdk.getExpectedTwilioSignature(authToken, jsonUrl, {})
    expect(twilioSdk.validateRequestWithBody(authToken, signed, jsonUrl, body)).toBe(true)
    const headers = { 'content-type': 'application/json', 'x-twilio-signature': signed }
    expect((await send({ target: jsonPath, body, headers })).status).toBe(202)
    const tampered = body.replace('completed', 'failed')
    expect(twilioSdk.validateRequestWithBody(authToken, signed, jsonUrl, tampered)).toBe(false)
    expect((await send({ target: jsonPath, body: tampered, headers })).code).toBe('invalid_signature')
    // Without bodySHA256 a JSON body is read as a form, which it is not: refused.
    const bare = twilioSdk.getExpectedTwilioSignature(authToken, `${publicUrl}/hooks/twilio`, {})
    const bareHeaders = { 'content-type': 'application/json', 'x-twilio-signature': bare }
    expect((await send({ target: '/hooks/twilio', body, headers: bareHeaders })).code).toBe('invalid_signature')
  })

  test('no publicUrl: the URL from a trusted proxy; without trustProxy, createGuard refuses', async () => {
    const headers = { 'x-twilio-signature': signature, 'x-forwarded-proto': 'https', 'x-forwarded-host': 'example.com' }
    const trusted = { trustProxy: ['10.0.0.0/8'] }
    expect((await send({ headers }, trusted, { authToken })).status).toBe(202)
    expect((await send({ headers, remoteAddress: '198.51.100.1' }, trusted, { authToken })).code).toBe(
      'invalid_signature',
    )
    expect(() => createGuard({ verify: [twilio({ authToken })], enqueue: () => {} })).toThrow(
      /twilio: the signature covers the request URL, so publicUrl must be set/,
    )
  })

  test('options are checked at creation', () => {
    expect(() => twilio({ authToken: '', publicUrl })).toThrow('twilio: authToken[0] must be a non-empty string')
    expect(() => twilio({ authToken, publicUrl: 'example.com' })).toThrow(/twilio: publicUrl must be an absolute/)
  })
})

describe('twilio with a key resolver (many tenants on one endpoint)', () => {
  /** A form delivery to /hooks/twilio/<tenant>, signed by the SDK for `signedBase` (the URL form Twilio used). */
  const formRequest = (secret: string, tenant: string, signedBase = publicUrl) => ({
    method: 'POST',
    path: `/hooks/twilio/${tenant}`,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilioSdk.getExpectedTwilioSignature(
        secret,
        `${signedBase}/hooks/twilio/${tenant}`,
        params,
      ),
    },
    body: form,
  })
  const preset: TenantPreset = {
    verifier: (resolve) => twilio({ authToken: resolve, publicUrl }),
    request: (secret, tenant) => formRequest(secret, tenant),
    refusal: 'invalid_signature',
  }

  test("the tenant's own token accepted, another's refused, an unknown tenant 401 after one lookup; a failing lookup 503", async () => {
    await expectTenantKeys(preset)
  })

  test('one lookup per request across the URL forms and body kinds it tries', async () => {
    const { lookups, resolve } = countingResolver()
    const { send, guard } = tenantGuard(preset, twilio({ authToken: resolve, publicUrl }))
    const { acme, globex } = tenantSecrets
    // The default port's form is the second URL tried: still the one cached lookup.
    const withPort = formRequest(acme, 'acme', 'https://example.com:443')
    expect((await guard.process({ ...withPort, params: { tenant: 'acme' } })).code).toBe('accepted')
    const body = JSON.stringify({ CallSid: 'CA123', CallStatus: 'completed' })
    const query = `bodySHA256=${createHash('sha256').update(body).digest('hex')}`
    const json = {
      method: 'POST',
      path: '/hooks/twilio/globex',
      query,
      headers: {
        'content-type': 'application/json',
        'x-twilio-signature': twilioSdk.getExpectedTwilioSignature(
          globex,
          `${publicUrl}/hooks/twilio/globex?${query}`,
          {},
        ),
      },
      body,
      params: { tenant: 'globex' },
    }
    expect((await guard.process(json)).code).toBe('accepted')
    expect((await send(globex, 'acme')).code).toBe('invalid_signature')
    expect(lookups).toEqual(['acme', 'globex'])
    guard.invalidate('acme')
    expect((await send(acme, 'acme')).code).toBe('accepted')
    expect(lookups).toEqual(['acme', 'globex', 'acme'])
  })
})
