import { createHash } from 'node:crypto'
import { SignJWT } from 'jose'
import { describe, expect, test } from 'vitest'
import { memoryStore } from '../dedupe/memory-store.js'
import { createGuard } from '../guard.js'
import type { WebhookEvent } from '../types.js'
import { qstash } from './qstash.js'

const currentSigningKey = 'sig_7kDB1zuHVFK5mLQmDoKUWa2jjwwH'
const nextSigningKey = 'sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs'
const url = 'https://example.com/api/qstash'
const body = JSON.stringify({ hello: 'world' })

/** A token as QStash makes one (HS256 with the signing key's UTF-8 bytes; claims as in Upstash's docs). */
async function token(
  options: {
    key?: string
    payload?: string
    sub?: string
    iss?: string
    exp?: number
    padded?: boolean
    jti?: string
    now?: number
  } = {},
) {
  const now = options.now ?? Math.floor(Date.now() / 1000)
  let hash = createHash('sha256')
    .update(options.payload ?? body)
    .digest('base64url')
  if (options.padded) hash += '='
  return new SignJWT({ body: hash })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(options.iss ?? 'Upstash')
    .setSubject(options.sub ?? url)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(options.exp ?? now + 300)
    .setJti(options.jti ?? `jwt_${now}`)
    .sign(new TextEncoder().encode(options.key ?? currentSigningKey))
}

async function send(signature: string | undefined, options: { url?: string; payload?: string } = {}) {
  const events: WebhookEvent[] = []
  const guard = createGuard({
    verify: [qstash({ currentSigningKey, nextSigningKey, ...(options.url === undefined ? {} : { url: options.url }) })],
    enqueue: (event) => void events.push(event),
  })
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'upstash-message-id': 'msg_26hZCxZCuWyyTWPmSVBrNC1RADwpgWxPcak2rQD51EMjFMuzcW7qYXpPiDSaFc',
    'upstash-retried': '0',
  }
  if (signature !== undefined) headers['upstash-signature'] = signature
  const response = await guard.handle(
    new Request('http://hooks.test/qstash', { method: 'POST', body: options.payload ?? body, headers }),
  )
  return { status: response.status, code: ((await response.json()) as { code: string }).code, events }
}

describe('qstash preset', () => {
  test('accepted with the current or the next key; id from Upstash-Message-Id; claims on the event', async () => {
    const current = await send(await token(), { url })
    expect(current.status).toBe(202)
    expect(current.events[0]?.id).toMatch(/^msg_26hZ/)
    expect(current.events[0]?.auth[0]).toMatchObject({ verifier: 'qstash', claims: { iss: 'Upstash', sub: url } })
    expect((await send(await token({ key: nextSigningKey }))).status).toBe(202)
    expect((await send(await token({ padded: true }))).status).toBe(202)
  })

  test('tampered body (the body claim no longer matches)', async () => {
    expect(await send(await token(), { payload: JSON.stringify({ hello: 'mars' }) })).toMatchObject({
      status: 401,
      code: 'invalid_token',
    })
  })

  test('expired token, wrong key, wrong issuer, other URL, missing header', async () => {
    const now = Math.floor(Date.now() / 1000)
    expect((await send(await token({ exp: now - 120 }))).code).toBe('token_expired')
    expect((await send(await token({ key: 'sig_someone_else_entirely' }))).code).toBe('invalid_token')
    expect((await send(await token({ iss: 'Upstash2' }))).code).toBe('invalid_token')
    expect((await send(await token({ sub: 'https://evil.example/hook' }), { url })).code).toBe('invalid_token')
    expect((await send(await token({ sub: 'https://evil.example/hook' }))).status).toBe(202)
    expect((await send(undefined)).code).toBe('missing_credentials')
  })

  test('a token is used once: re-sent with a fresh Upstash-Message-Id it is a duplicate, until it expires', async () => {
    const nowSeconds = 1_700_000_000
    const ttls = new Map<string, number>()
    const store = memoryStore({ now: () => nowSeconds * 1000 })
    const events: WebhookEvent[] = []
    const guard = createGuard({
      verify: [qstash({ currentSigningKey, nextSigningKey })],
      enqueue: (event) => void events.push(event),
      now: () => nowSeconds * 1000,
      dedupe: {
        claim: (key, leaseMs) => store.claim(key, leaseMs),
        complete: (key, claimToken, ttlMs) => {
          ttls.set(key, ttlMs)
          return store.complete(key, claimToken, ttlMs)
        },
        release: (key, claimToken) => store.release(key, claimToken),
      },
    })
    const post = async (signature: string, messageId: string) => {
      const request = new Request('http://hooks.test/qstash', {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'upstash-message-id': messageId,
          'upstash-signature': signature,
        },
      })
      return ((await (await guard.handle(request)).json()) as { code: string }).code
    }
    const captured = await token({ jti: 'jwt_captured', now: nowSeconds, exp: nowSeconds + 300 })
    expect(await post(captured, 'msg_1')).toBe('accepted')
    expect(await post(captured, 'msg_2')).toBe('duplicate')
    expect(await post(await token({ jti: 'jwt_next', now: nowSeconds }), 'msg_3')).toBe('accepted')
    expect(events.map((event) => event.id)).toEqual(['msg_1', 'msg_3'])
    // The jti is kept until the token's exp and the 60 s clock tolerance, not for the dedupe TTL.
    const jtiKey = [...ttls.keys()].find((key) => key.endsWith('jwt_captured'))
    expect(jtiKey).toMatch(/replay 6:qstash:jwt_captured$/)
    expect(ttls.get(jtiKey as string)).toBe(360_000)
  })

  test('options', () => {
    // @ts-expect-error both keys are required
    expect(() => qstash({ currentSigningKey })).toThrow(/nextSigningKey/)
    expect(() => qstash({ currentSigningKey, nextSigningKey, url: '' })).toThrow(/url/)
  })
})
