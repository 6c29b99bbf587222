import { createHmac } from 'node:crypto'
import { createGuard, hubspot, mailgun, square, twilio, type Verifier, type WebhookEvent } from '@hookguard/core'
import { Signature } from '@hubspot/api-client'
import { WebhooksHelper } from 'square'
import twilioSdk from 'twilio'
import { describe, expect, test } from 'vitest'
import type { CliIo } from './cli/io.js'
import { main } from './cli/main.js'
import { generateSecret } from './generate-secret.js'
import type { PresetName } from './presets.js'
import { signRequest } from './sign-request.js'
import type { SignedRequest } from './types.js'

// The receiver runs behind https://example.com; the request arrives at the app's own address.
const publicUrl = 'https://example.com'
const local = 'http://127.0.0.1:3000/hooks/in?site=1'
const signedUrl = `${publicUrl}/hooks/in?site=1`

async function through(verifier: Verifier, signed: SignedRequest) {
  const events: WebhookEvent[] = []
  const guard = createGuard({ verify: [verifier], enqueue: (event) => void events.push(event) })
  const response = await guard.handle(new Request(signed.url ?? local, signed))
  return { status: response.status, code: ((await response.json()) as { code: string }).code, event: events[0] }
}

const text = (signed: SignedRequest) =>
  typeof signed.body === 'string' ? signed.body : new TextDecoder().decode(signed.body)

const cases: {
  preset: PresetName
  body: Record<string, unknown>
  verifier: (secret: string) => Verifier
  reference: (secret: string, signed: SignedRequest) => boolean | Promise<boolean>
}[] = [
  {
    preset: 'twilio',
    body: { MessageSid: 'SM1', MessageStatus: 'delivered', To: '+15550100' },
    verifier: (s) => twilio({ authToken: s, publicUrl }),
    reference: (s, r) =>
      twilioSdk.validateRequest(
        s,
        r.headers['x-twilio-signature'] as string,
        signedUrl,
        Object.fromEntries(new URLSearchParams(text(r))),
      ),
  },
  {
    preset: 'hubspot',
    body: { eventId: 1, subscriptionType: 'contact.creation' },
    verifier: (s) => hubspot({ clientSecret: s, publicUrl }),
    reference: (s, r) =>
      Signature.isValid({
        signatureVersion: 'v3',
        clientSecret: s,
        requestBody: text(r),
        url: signedUrl,
        timestamp: Number(r.headers['x-hubspot-request-timestamp']),
        signature: r.headers['x-hubspot-signature-v3'] as string,
      }),
  },
  {
    preset: 'square',
    body: { event_id: 'ev-sq-1', type: 'payment.updated', data: {} },
    verifier: (s) => square({ signatureKey: s, notificationUrl: signedUrl }),
    reference: (s, r) =>
      WebhooksHelper.verifySignature({
        requestBody: text(r),
        signatureHeader: r.headers['x-square-hmacsha256-signature'] as string,
        signatureKey: s,
        notificationUrl: signedUrl,
      }),
  },
  {
    preset: 'mailgun',
    body: { id: 'mg-ev-1', event: 'delivered' },
    verifier: (s) => mailgun({ signingKey: s }),
    // No Mailgun SDK on npm verifies webhooks: the recipe of Mailgun's documentation, with node:crypto.
    reference: (s, r) => {
      const { timestamp, token, signature } = (JSON.parse(text(r)) as { signature: Record<string, string> }).signature
      return createHmac('sha256', s).update(`${timestamp}${token}`).digest('hex') === signature
    },
  },
]

function memoryIo(): CliIo & { stdout: string[] } {
  const stdout: string[] = []
  return {
    stdout,
    out: (t) => void stdout.push(t),
    err: () => {},
    isTTY: false,
    readStdin: async () => new Uint8Array(),
    env: {},
  }
}

describe.each(cases)('signRequest and the CLI: $preset', ({ preset, body, verifier, reference }) => {
  const { secret } = generateSecret(preset)

  test('signRequest: the sender library accepts it, and so does the preset, with the id signRequest reports', async () => {
    const signed = await signRequest(preset, { secret, body, url: local, signedUrl })
    expect(await reference(secret, signed)).toBe(true)
    const result = await through(verifier(secret), signed)
    expect(result).toMatchObject({ status: 202, code: 'accepted' })
    expect(result.event?.id).toBe(signed.id)
    const other = await signRequest(preset, { secret: generateSecret(preset).secret, body, url: local, signedUrl })
    expect((await through(verifier(secret), other)).status).toBe(401)
  })

  test('hookguard sign --json produces a delivery the preset accepts', async () => {
    const io = memoryIo()
    const args = ['sign', '--preset', preset, '--secret', secret, '--body', JSON.stringify(body), '--json']
    expect(await main([...args, '--url', local, '--signed-url', signedUrl], io)).toBe(0)
    const signed = JSON.parse(io.stdout.join('')) as SignedRequest
    expect((await through(verifier(secret), signed)).status).toBe(202)
  })
})

describe('signRequest: twilio with a JSON body signs bodySHA256 into the URL', () => {
  test('validateRequestWithBody accepts it, and so does the preset', async () => {
    const { secret } = generateSecret('twilio')
    const signed = await signRequest('twilio', {
      secret,
      body: { CallSid: 'CA1' },
      url: local,
      signedUrl,
      contentType: 'application/json',
    })
    expect(signed.url).toMatch(/^http:\/\/127\.0\.0\.1:3000\/hooks\/in\?site=1&bodySHA256=[0-9a-f]{64}$/)
    const sdkUrl = `${signedUrl}&${(signed.url as string).split('&')[1]}`
    const header = signed.headers['x-twilio-signature'] as string
    expect(twilioSdk.validateRequestWithBody(secret, header, sdkUrl, text(signed))).toBe(true)
    expect((await through(twilio({ authToken: secret, publicUrl }), signed)).status).toBe(202)
  })

  test('the signed URL is required', async () => {
    await expect(signRequest('twilio', { secret: 'x', body: {} })).rejects.toThrow(
      'twilio: url (or signedUrl) is required: the sender signs it',
    )
  })
})
