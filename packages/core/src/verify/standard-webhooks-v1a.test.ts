import { createHmac, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { createGuard } from '../guard.js'
import type { WebhookEvent } from '../types.js'
import { standardWebhooks } from './standard-webhooks.js'
import type { Verifier } from './verifier.js'

const body = '{"type":"invoice.paid","data":{"n":1}}'

function ed25519() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url')
  return { whpk: `whpk_${raw.toString('base64')}`, privateKey }
}

/** A `v1a` entry, made with node:crypto independently of the code under test. */
function signV1a(privateKey: KeyObject, id: string, timestamp: number, content = body): string {
  return `v1a,${sign(null, Buffer.from(`${id}.${timestamp}.${content}`), privateKey).toString('base64')}`
}

async function send(verifier: Verifier, headers: Record<string, string>, events: WebhookEvent[] = []) {
  const guard = createGuard({ verify: [verifier], enqueue: (event) => void events.push(event) })
  const response = await guard.handle(
    new Request('http://hooks.test/hook', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
    }),
  )
  return { status: response.status, code: ((await response.json()) as { code: string }).code }
}

function headers(id: string, timestamp: number, signature: string, prefix = 'webhook') {
  return { [`${prefix}-id`]: id, [`${prefix}-timestamp`]: String(timestamp), [`${prefix}-signature`]: signature }
}

const now = () => Math.floor(Date.now() / 1000)

describe('standardWebhooks v1a (Ed25519, whpk_ public keys)', () => {
  const sender = ed25519()
  const verifier = standardWebhooks({ publicKey: sender.whpk })

  test('accepted under webhook-* and svix-* names, with id and timestamp', async () => {
    const t = now()
    const events: WebhookEvent[] = []
    expect((await send(verifier, headers('msg_a1', t, signV1a(sender.privateKey, 'msg_a1', t)), events)).status).toBe(
      202,
    )
    expect(events[0]).toMatchObject({ id: 'msg_a1', timestamp: t, type: 'invoice.paid' })
    const svix = headers('msg_a2', t, signV1a(sender.privateKey, 'msg_a2', t), 'svix')
    expect((await send(verifier, svix)).status).toBe(202)
  })

  test('tampered body, other id, stale, wrong key', async () => {
    const t = now()
    const tampered = signV1a(sender.privateKey, 'msg_b', t, body.replace('1', '2'))
    expect(await send(verifier, headers('msg_b', t, tampered))).toEqual({ status: 401, code: 'invalid_signature' })
    const otherId = signV1a(sender.privateKey, 'msg_other', t)
    expect((await send(verifier, headers('msg_b', t, otherId))).code).toBe('invalid_signature')
    const stale = signV1a(sender.privateKey, 'msg_b', t - 400)
    expect((await send(verifier, headers('msg_b', t - 400, stale))).code).toBe('timestamp_too_old')
    const stranger = ed25519()
    expect((await send(verifier, headers('msg_b', t, signV1a(stranger.privateKey, 'msg_b', t)))).code).toBe(
      'invalid_signature',
    )
  })

  test('a v1 (HMAC) entry is not accepted without a secret; with both, either kind passes', async () => {
    const t = now()
    const key = randomBytes(24)
    const v1 = `v1,${createHmac('sha256', key).update(`msg_c.${t}.${body}`).digest('base64')}`
    expect((await send(verifier, headers('msg_c', t, v1))).code).toBe('invalid_signature')
    const both = standardWebhooks({
      secret: `whsec_${key.toString('base64')}`,
      publicKey: [ed25519().whpk, sender.whpk],
    })
    expect((await send(both, headers('msg_c', t, v1))).status).toBe(202)
    const mixed = `v1,${'A'.repeat(43)}= ${signV1a(sender.privateKey, 'msg_d', t)}`
    expect((await send(both, headers('msg_d', t, mixed))).status).toBe(202)
  })

  test('the symmetric-only verifier ignores v1a entries', async () => {
    const t = now()
    const symmetric = standardWebhooks({ secret: `whsec_${randomBytes(24).toString('base64')}` })
    expect((await send(symmetric, headers('msg_e', t, signV1a(sender.privateKey, 'msg_e', t)))).code).toBe(
      'invalid_signature',
    )
  })

  test('signatures are decoded strictly', async () => {
    const t = now()
    const entry = signV1a(sender.privateKey, 'msg_f', t)
    const unpadded = entry.replace(/=+$/, '')
    expect((await send(verifier, headers('msg_f', t, unpadded))).code).toBe('invalid_signature')
    const urlSafe = entry.replace(/\+/g, '-').replace(/\//g, '_')
    if (urlSafe !== entry) expect((await send(verifier, headers('msg_f', t, urlSafe))).code).toBe('invalid_signature')
    // Same bytes, non-canonical: 64 bytes end in one byte, so the last sextet's low 4 bits must be 0.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
    const bent = `${entry.slice(0, -3)}${alphabet[alphabet.indexOf(entry.at(-3) as string) ^ 1]}==`
    expect(Buffer.from(bent.slice(4), 'base64')).toEqual(Buffer.from(entry.slice(4), 'base64'))
    expect((await send(verifier, headers('msg_f', t, bent))).code).toBe('invalid_signature')
    expect((await send(verifier, headers('msg_f', t, entry))).status).toBe(202)
  })

  test('options are checked at creation', () => {
    expect(() => standardWebhooks({})).toThrow(/secret.*publicKey/)
    expect(() => standardWebhooks({ publicKey: [] })).toThrow(/publicKey/)
    expect(() => standardWebhooks({ publicKey: 'whsec_abc' })).toThrow(/publicKey\[0\]/)
    expect(() => standardWebhooks({ publicKey: `whpk_${randomBytes(16).toString('base64')}` })).toThrow(/32-byte/)
    expect(() => standardWebhooks({ secret: sender.whpk })).toThrow(/publicKey/)
  })
})
