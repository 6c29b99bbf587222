import { generateKeyPairSync } from 'node:crypto'
import { Webhook as StandardWebhook } from 'standardwebhooks'
import { Webhook as SvixWebhook } from 'svix'
import { describe, expect, test } from 'vitest'
import { makeSecret, signV1 } from '../../test-support/sign.js'
import { WebhookError } from '../errors.js'
import type { HeaderBag } from '../lib/headers.js'
import { standardWebhooks } from './standard-webhooks.js'
import type { Verifier, VerifyContext, VerifyResult } from './verifier.js'

const now = 1_700_000_000
const body = new TextEncoder().encode('{"type":"scan.completed","data":{"id":1}}')

function context(headers: HeaderBag, overrides: Partial<VerifyContext> = {}): VerifyContext {
  return {
    method: 'POST',
    headers,
    body,
    params: {},
    tls: undefined,
    nowMs: now * 1000,
    toleranceSeconds: 300,
    ...overrides,
  }
}

/** A `whpk_` public key made with node:crypto. */
function ed25519PublicKey(): { whpk: string } {
  const raw = Buffer.from(generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x as string, 'base64url')
  return { whpk: `whpk_${raw.toString('base64')}` }
}

function headersFor(key: Buffer, id = 'msg_1', timestamp: number | string = now, signed: Uint8Array = body) {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signV1(key, id, timestamp, signed),
  }
}

/** Runs a verifier as the guard does: a synchronous result or throw, or a promise, all as a promise. */
function call(verifier: Verifier, ctx: VerifyContext): Promise<VerifyResult> {
  return Promise.resolve().then(() => verifier.verify(ctx))
}

async function failure(promise: unknown): Promise<string> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookError)
    return (error as WebhookError).code
  }
  throw new Error('expected a WebhookError')
}

describe('standardWebhooks', () => {
  const secret = makeSecret()
  const verifier = standardWebhooks({ secret: secret.whsec })

  test('accepts a valid delivery and provides the id and timestamp', async () => {
    await expect(call(verifier, context(headersFor(secret.key)))).resolves.toEqual({ id: 'msg_1', timestamp: now })
  })

  test('accepts the secret without its whsec_ prefix', async () => {
    const bare = standardWebhooks({ secret: secret.key.toString('base64') })
    await expect(call(bare, context(headersFor(secret.key)))).resolves.toMatchObject({ id: 'msg_1' })
  })

  test('accepts Svix-branded header names', async () => {
    const h = headersFor(secret.key)
    const svix = {
      'svix-id': h['webhook-id'],
      'svix-timestamp': h['webhook-timestamp'],
      'svix-signature': h['webhook-signature'],
    }
    await expect(call(verifier, context(svix))).resolves.toMatchObject({ id: 'msg_1' })
  })

  test('agrees with the svix and standardwebhooks npm signers', async () => {
    const svix = new SvixWebhook(secret.whsec)
    const fromSvix = svix.sign('msg_svix', new Date(now * 1000), new TextDecoder().decode(body))
    const svixHeaders = { 'svix-id': 'msg_svix', 'svix-timestamp': String(now), 'svix-signature': fromSvix }
    await expect(call(verifier, context(svixHeaders))).resolves.toMatchObject({ id: 'msg_svix' })

    const standard = new StandardWebhook(secret.whsec)
    const fromStandard = standard.sign('msg_std', new Date(now * 1000), new TextDecoder().decode(body))
    const stdHeaders = { 'webhook-id': 'msg_std', 'webhook-timestamp': String(now), 'webhook-signature': fromStandard }
    await expect(call(verifier, context(stdHeaders))).resolves.toMatchObject({ id: 'msg_std' })
  })

  test('what we accept, the reference verifiers accept too', async () => {
    const current = Math.floor(Date.now() / 1000)
    const h = headersFor(secret.key, 'msg_1', current)
    await expect(call(verifier, context(h, { nowMs: current * 1000 }))).resolves.toBeTruthy()
    const text = new TextDecoder().decode(body)
    expect(new StandardWebhook(secret.whsec).verify(text, h)).toBeTruthy()
    const svixHeaders = {
      'svix-id': h['webhook-id'],
      'svix-timestamp': h['webhook-timestamp'],
      'svix-signature': h['webhook-signature'],
    }
    expect(() => new SvixWebhook(secret.whsec).verify(text, svixHeaders)).not.toThrow() // svix 2 returns nothing
  })

  test('timestamp tolerance is inclusive at both edges', async () => {
    for (const offset of [-300, 300, 0]) {
      await expect(call(verifier, context(headersFor(secret.key, 'msg_1', now + offset)))).resolves.toBeTruthy()
    }
    expect(await failure(call(verifier, context(headersFor(secret.key, 'msg_1', now - 301))))).toBe('timestamp_too_old')
    expect(await failure(call(verifier, context(headersFor(secret.key, 'msg_1', now + 301))))).toBe('timestamp_too_new')
  })

  test('a verifier tolerance overrides the guard tolerance', async () => {
    const strict = standardWebhooks({ secret: secret.whsec, toleranceSeconds: 10 })
    expect(await failure(call(strict, context(headersFor(secret.key, 'msg_1', now - 11))))).toBe('timestamp_too_old')
    await expect(call(strict, context(headersFor(secret.key, 'msg_1', now - 10)))).resolves.toBeTruthy()
  })

  test.each(['1614265330abc', '+1700000000', ' 1700000000', '1.6e9', '0x6553f100', '-1700000000', ''])(
    'rejects the malformed timestamp %j',
    async (timestamp) => {
      const h = { ...headersFor(secret.key), 'webhook-timestamp': timestamp }
      expect(await failure(call(verifier, context(h)))).toBe('invalid_timestamp')
    },
  )

  test('milliseconds instead of seconds read as far future', async () => {
    const h = headersFor(secret.key, 'msg_1', now * 1000)
    expect(await failure(call(verifier, context(h)))).toBe('timestamp_too_new')
  })

  test('a tampered body, id or timestamp fails', async () => {
    const h = headersFor(secret.key)
    const tampered = new TextEncoder().encode('{"type":"scan.completed","data":{"id":2}}')
    expect(await failure(call(verifier, context(h, { body: tampered })))).toBe('invalid_signature')
    expect(await failure(call(verifier, context({ ...h, 'webhook-id': 'msg_2' })))).toBe('invalid_signature')
    expect(await failure(call(verifier, context({ ...h, 'webhook-timestamp': String(now + 1) })))).toBe(
      'invalid_signature',
    )
  })

  test('a signature from another secret fails', async () => {
    expect(await failure(call(verifier, context(headersFor(makeSecret().key))))).toBe('invalid_signature')
  })

  test('rotation: a signature made with any configured secret passes', async () => {
    const next = makeSecret()
    const rotating = standardWebhooks({ secret: [secret.whsec, next.whsec] })
    await expect(call(rotating, context(headersFor(next.key)))).resolves.toBeTruthy()
    await expect(call(rotating, context(headersFor(secret.key)))).resolves.toBeTruthy()
  })

  test('any valid v1 entry in the list passes; unknown versions are skipped', async () => {
    const h = headersFor(secret.key)
    const list = `v2,abc v1a,xyz v1,${'A'.repeat(43)}= ${h['webhook-signature']}`
    await expect(call(verifier, context({ ...h, 'webhook-signature': list }))).resolves.toBeTruthy()
  })

  test('repeated signature headers are read as one list', async () => {
    const h = headersFor(secret.key)
    const repeated = { ...h, 'webhook-signature': ['v1,bm90LWl0', h['webhook-signature']] }
    await expect(call(verifier, context(repeated))).resolves.toBeTruthy()
  })

  test('at most 16 entries are inspected', async () => {
    const h = headersFor(secret.key)
    const junk = Array.from({ length: 16 }, (_, i) => `v1,junk${i}`).join(' ')
    expect(
      await failure(call(verifier, context({ ...h, 'webhook-signature': `${junk} ${h['webhook-signature']}` }))),
    ).toBe('invalid_signature')
    const fifteen = Array.from({ length: 15 }, (_, i) => `v1,junk${i}`).join(' ')
    await expect(
      call(verifier, context({ ...h, 'webhook-signature': `${fifteen} ${h['webhook-signature']}` })),
    ).resolves.toBeTruthy()
  })

  test('with node:crypto a valid v1 delivery is verified synchronously: no promise on the hot path', () => {
    const result = verifier.verify(context(headersFor(secret.key)))
    expect(result).not.toBeInstanceOf(Promise)
    expect(result).toEqual({ id: 'msg_1', timestamp: now })
  })

  test('maxSignatures caps the entries read, with or without public keys; empty entries do not count', async () => {
    const h = headersFor(secret.key)
    const { whpk } = ed25519PublicKey()
    for (const capped of [
      standardWebhooks({ secret: secret.whsec, maxSignatures: 2 }),
      standardWebhooks({ secret: secret.whsec, publicKey: whpk, maxSignatures: 2 }),
    ]) {
      const within = `   v2,x    ${h['webhook-signature']}  `
      await expect(call(capped, context({ ...h, 'webhook-signature': within }))).resolves.toEqual({
        id: 'msg_1',
        timestamp: now,
      })
      const past = `v2,x  v1,junk ${h['webhook-signature']}`
      await expect(call(capped, context({ ...h, 'webhook-signature': past }))).rejects.toMatchObject({
        code: 'invalid_signature',
        detail: expect.stringMatching(/^no v1a? (or v1 )?signature among 2 entries matched/),
      })
    }
  })

  test.each([
    ['V1 in upper case', (sig: string) => sig.replace('v1,', 'V1,')],
    ['v1 without a comma', (sig: string) => sig.replace('v1,', 'v1')],
    ['a space inside the entry', (sig: string) => sig.replace('v1,', 'v1, ')],
    ['the + and - base64 variants swapped', (sig: string) => sig.replace(/\+/g, '-').replace(/\//g, '_')],
  ])('rejects %s', async (_, mangle) => {
    let h = headersFor(secret.key)
    for (let i = 0; !/[+/]/.test(h['webhook-signature']); i++) h = headersFor(secret.key, `msg_${i}`)
    const sig = mangle(h['webhook-signature'])
    expect(await failure(call(verifier, context({ ...h, 'webhook-signature': sig })))).toBe('invalid_signature')
  })

  test('missing headers each have their code', async () => {
    const h = headersFor(secret.key)
    const without = (name: string) => Object.fromEntries(Object.entries(h).filter(([k]) => k !== name))
    expect(await failure(call(verifier, context(without('webhook-id'))))).toBe('missing_event_id')
    expect(await failure(call(verifier, context(without('webhook-timestamp'))))).toBe('invalid_timestamp')
    expect(await failure(call(verifier, context(without('webhook-signature'))))).toBe('missing_signature')
    expect(await failure(call(verifier, context({ ...h, 'webhook-signature': '' })))).toBe('missing_signature')
  })

  test('repeated id or timestamp headers are rejected', async () => {
    const h = headersFor(secret.key)
    expect(await failure(call(verifier, context({ ...h, 'webhook-id': ['msg_1', 'msg_2'] })))).toBe('duplicate_header')
    expect(await failure(call(verifier, context({ ...h, 'webhook-timestamp': [String(now), String(now)] })))).toBe(
      'duplicate_header',
    )
  })

  test('bodies that are not UTF-8 are signed and verified as raw bytes', async () => {
    const raw = new Uint8Array([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28])
    await expect(
      call(verifier, context(headersFor(secret.key, 'msg_1', now, raw), { body: raw })),
    ).resolves.toBeTruthy()
  })

  test('invalid secrets fail at creation with a TypeError naming the option', () => {
    expect(() => standardWebhooks({ secret: '' })).toThrow(/secret/)
    expect(() => standardWebhooks({ secret: 'whsec_not base64!' })).toThrow(TypeError)
    expect(() => standardWebhooks({ secret: [] })).toThrow(TypeError)
  })
})
