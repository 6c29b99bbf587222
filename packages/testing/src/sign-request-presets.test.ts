import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  clerk,
  createGuard,
  gitlab,
  lemonSqueezy,
  linear,
  liveblocks,
  okta,
  paddle,
  polar,
  postmark,
  replicate,
  resend,
  sendgrid,
  supabaseAuthHook,
  twitch,
  type Verifier,
  vercel,
  type WebhookEvent,
  workos,
} from '@hookguard/core'
import { LinearWebhookClient } from '@linear/sdk/webhooks'
import { NodeRuntime, WebhooksValidator } from '@paddle/paddle-node-sdk'
import { EventWebhook } from '@sendgrid/eventwebhook'
import { Webhook as StandardWebhook } from 'standardwebhooks'
import { Webhook as SvixWebhook } from 'svix'
import { describe, expect, test } from 'vitest'
import type { CliIo } from './cli/io.js'
import { main } from './cli/main.js'
import { generateSecret } from './generate-secret.js'
import type { PresetName } from './presets.js'
import { signRequest } from './sign-request.js'
import type { SignedRequest } from './types.js'

NodeRuntime.initialize()

const url = 'https://hooks.example.com/hooks'
const payload = { id: 'evt_1', event_id: 'evt_01h8bz', type: 'Issue', meta: { event_name: 'order_created' } }

async function through(verifier: Verifier, signed: SignedRequest) {
  const events: WebhookEvent[] = []
  const guard = createGuard({ verify: [verifier], enqueue: (event) => void events.push(event) })
  const response = await guard.handle(new Request(signed.url ?? url, signed))
  return { status: response.status, code: ((await response.json()) as { code: string }).code, event: events[0] }
}

const text = (signed: SignedRequest) =>
  typeof signed.body === 'string' ? signed.body : new TextDecoder().decode(signed.body)

/** Each new preset: its verifier, and (where it has one) the sender's own library accepting what was signed. */
const presets: {
  preset: PresetName
  verifier: (secret: string) => Verifier
  reference?: (secret: string, signed: SignedRequest) => Promise<unknown> | unknown
}[] = [
  {
    preset: 'clerk',
    verifier: (s) => clerk({ secret: s }),
    reference: (s, r) => new SvixWebhook(s).verify(text(r), r.headers),
  },
  {
    preset: 'resend',
    verifier: (s) => resend({ secret: s }),
    reference: (s, r) => new SvixWebhook(s).verify(text(r), r.headers),
  },
  {
    preset: 'polar',
    verifier: (s) => polar({ secret: s }),
    reference: (s, r) => new StandardWebhook(Buffer.from(s, 'utf-8').toString('base64')).verify(text(r), r.headers),
  },
  {
    preset: 'replicate',
    verifier: (s) => replicate({ secret: s }),
    reference: (s, r) => new StandardWebhook(s).verify(text(r), r.headers),
  },
  {
    preset: 'supabase-auth-hook',
    verifier: (s) => supabaseAuthHook({ secret: s }),
    reference: (s, r) => new StandardWebhook(s.replace('v1,whsec_', '')).verify(text(r), r.headers),
  },
  {
    preset: 'liveblocks',
    verifier: (s) => liveblocks({ secret: s }),
    reference: (s, r) => new StandardWebhook(s).verify(text(r), r.headers),
  },
  {
    preset: 'linear',
    verifier: (s) => linear({ secret: s }),
    reference: (s, r) => {
      const body = Buffer.from(text(r))
      const timestamp = (JSON.parse(text(r)) as { webhookTimestamp: number }).webhookTimestamp
      return new LinearWebhookClient(s).verify(body, r.headers['linear-signature'] as string, timestamp)
    },
  },
  { preset: 'lemon-squeezy', verifier: (s) => lemonSqueezy({ secret: s }) },
  { preset: 'vercel', verifier: (s) => vercel({ secret: s }) },
  {
    preset: 'paddle',
    verifier: (s) => paddle({ secret: s }),
    reference: async (s, r) => {
      if (!(await new WebhooksValidator().isValidSignature(text(r), s, r.headers['paddle-signature'] as string))) {
        throw new Error('the Paddle SDK refused it')
      }
    },
  },
  { preset: 'gitlab', verifier: (s) => gitlab({ token: s }) },
  { preset: 'postmark', verifier: (s) => postmark({ username: 'postmark', password: s }) },
  { preset: 'workos', verifier: (s) => workos({ secret: s }) },
  { preset: 'twitch', verifier: (s) => twitch({ secret: s }) },
  { preset: 'okta', verifier: (s) => okta({ secret: s }) },
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

describe.each(presets)('signRequest and the CLI: $preset', ({ preset, verifier, reference }) => {
  const { secret } = generateSecret(preset)

  test('signRequest: the sender library accepts it, and so does the preset, with the id signRequest reports', async () => {
    const signed = await signRequest(preset, { secret, body: payload, url })
    await reference?.(secret, signed)
    const result = await through(verifier(secret), signed)
    expect(result).toMatchObject({ status: 202, code: 'accepted' })
    expect(result.event?.id).toBe(signed.id)
    const other = await signRequest(preset, { secret: generateSecret(preset).secret, body: payload, url })
    expect((await through(verifier(secret), other)).status).toBe(401)
  })

  test('hookguard sign --json produces a delivery the preset accepts', async () => {
    const io = memoryIo()
    expect(
      await main(['sign', '--preset', preset, '--secret', secret, '--body', JSON.stringify(payload), '--json'], io),
    ).toBe(0)
    const signed = JSON.parse(io.stdout.join('')) as SignedRequest
    expect((await through(verifier(secret), { ...signed, url })).status).toBe(202)
  })
})

describe('signRequest and the CLI: sendgrid (a key pair: the private key signs, the public key verifies)', () => {
  const { secret: privateKey, publicKey } = generateSecret('sendgrid')
  const batch = [{ email: 'a@example.com', event: 'processed', sg_event_id: 'rbtnWrG1DVDGGGFHFyun0A' }]

  test('signRequest: @sendgrid/eventwebhook accepts it, and so does the preset, with the id signRequest reports', async () => {
    const signed = await signRequest('sendgrid', { privateKey, body: batch, url })
    const sdk = new EventWebhook()
    const signature = signed.headers['x-twilio-email-event-webhook-signature'] as string
    const timestamp = signed.headers['x-twilio-email-event-webhook-timestamp'] as string
    const sdkKey = sdk.convertPublicKeyToECDSA(publicKey as string)
    expect(sdk.verifySignature(sdkKey, text(signed), signature, timestamp)).toBe(true)
    const result = await through(sendgrid({ publicKey: publicKey as string }), signed)
    expect(result).toMatchObject({ status: 202, code: 'accepted' })
    expect(result.event?.id).toBe(signed.id)
    const other = await signRequest('sendgrid', { privateKey: generateSecret('sendgrid').secret, body: batch, url })
    expect((await through(sendgrid({ publicKey: publicKey as string }), other)).status).toBe(401)
    await expect(signRequest('sendgrid', { body: batch })).rejects.toThrow('sendgrid: privateKey is required')
  })

  test('hookguard sign --json produces a delivery the preset accepts', async () => {
    const io = memoryIo()
    const keyFile = join(await mkdtemp(join(tmpdir(), 'hookguard-sendgrid-')), 'key.pem')
    await writeFile(keyFile, privateKey)
    const body = JSON.stringify(batch)
    expect(
      await main(['sign', '--preset', 'sendgrid', '--private-key', `@${keyFile}`, '--body', body, '--json'], io),
    ).toBe(0)
    const signed = JSON.parse(io.stdout.join('')) as SignedRequest
    expect((await through(sendgrid({ publicKey: publicKey as string }), { ...signed, url })).status).toBe(202)
  })
})
