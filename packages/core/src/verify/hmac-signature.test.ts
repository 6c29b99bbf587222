import { createHmac } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { createGuard } from '../guard.js'
import type { WebhookEvent } from '../types.js'
import { hmacSignature } from './hmac-signature.js'
import type { Verifier } from './verifier.js'

const secret = 'acme-secret'
const body = '{"kind":"order.paid","n":1}'

function hmac(content: string, encoding: 'hex' | 'base64' = 'hex', key: string | Buffer = secret): string {
  return createHmac('sha256', key).update(content).digest(encoding)
}

async function send(verifier: Verifier, headers: Record<string, string>, events: WebhookEvent[] = []) {
  const guard = createGuard({ verify: [verifier], dedupe: false, enqueue: (event) => void events.push(event) })
  const response = await guard.handle(
    new Request('http://hooks.test/acme', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
    }),
  )
  return { status: response.status, code: ((await response.json()) as { code: string }).code }
}

/** A made-up sender: `X-Acme-Signature: t=<unix>,sig=<hex of "t.body">`, id in `X-Acme-Delivery`. */
const acme = (overrides: Partial<Parameters<typeof hmacSignature>[0]> = {}) =>
  hmacSignature({
    name: 'acme',
    secret,
    header: 'X-Acme-Signature',
    algorithm: 'sha256',
    encoding: 'hex',
    separator: ',',
    prefix: 'sig=',
    timestamp: { entry: 't=' },
    signedContent: '{timestamp}.{body}',
    eventId: { header: 'x-acme-delivery' },
    keepHeaders: ['x-acme-delivery'],
    ...overrides,
  })

const now = () => Math.floor(Date.now() / 1000)

describe('hmacSignature describes a sender', () => {
  test('accepted, with the id, timestamp and kept headers on the event', async () => {
    const t = now()
    const events: WebhookEvent[] = []
    const result = await send(
      acme(),
      { 'x-acme-signature': `t=${t}, sig=${hmac(`${t}.${body}`)}`, 'x-acme-delivery': 'd-1' },
      events,
    )
    expect(result.status).toBe(202)
    expect(events[0]).toMatchObject({ id: 'd-1', timestamp: t, type: null })
    expect(events[0]?.headers['x-acme-delivery']).toBe('d-1')
    expect(events[0]?.headers['x-acme-signature']).toBeUndefined()
    expect(events[0]?.auth).toEqual([{ verifier: 'acme' }])
  })

  test('tampered body, wrong secret, stale and future timestamps', async () => {
    const t = now()
    const tampered = await send(acme(), {
      'x-acme-signature': `t=${t},sig=${hmac(`${t}.${body.replace('1', '2')}`)}`,
      'x-acme-delivery': 'd-2',
    })
    expect(tampered).toEqual({ status: 401, code: 'invalid_signature' })
    const wrongKey = await send(acme(), {
      'x-acme-signature': `t=${t},sig=${hmac(`${t}.${body}`, 'hex', 'other')}`,
      'x-acme-delivery': 'd-2',
    })
    expect(wrongKey.code).toBe('invalid_signature')
    const stale = await send(acme(), {
      'x-acme-signature': `t=${t - 301},sig=${hmac(`${t - 301}.${body}`)}`,
      'x-acme-delivery': 'd-2',
    })
    expect(stale).toEqual({ status: 401, code: 'timestamp_too_old' })
    const future = await send(acme({ toleranceSeconds: 10 }), {
      'x-acme-signature': `t=${t + 60},sig=${hmac(`${t + 60}.${body}`)}`,
      'x-acme-delivery': 'd-2',
    })
    expect(future.code).toBe('timestamp_too_new')
  })

  test('a moved timestamp invalidates the signature; a missing or doubled one is invalid_timestamp', async () => {
    const t = now()
    const sig = hmac(`${t}.${body}`)
    expect((await send(acme(), { 'x-acme-signature': `t=${t - 1},sig=${sig}`, 'x-acme-delivery': 'd' })).code).toBe(
      'invalid_signature',
    )
    expect((await send(acme(), { 'x-acme-signature': `sig=${sig}`, 'x-acme-delivery': 'd' })).code).toBe(
      'invalid_timestamp',
    )
    expect((await send(acme(), { 'x-acme-signature': `t=${t},t=${t},sig=${sig}`, 'x-acme-delivery': 'd' })).code).toBe(
      'invalid_timestamp',
    )
  })

  test('missing header, no entry with the prefix, several entries and rotation', async () => {
    const t = now()
    expect((await send(acme(), { 'x-acme-delivery': 'd' })).code).toBe('missing_signature')
    expect((await send(acme(), { 'x-acme-signature': `t=${t},v0=abc`, 'x-acme-delivery': 'd' })).code).toBe(
      'invalid_signature',
    )
    const good = hmac(`${t}.${body}`)
    const several = `t=${t},sig=${'0'.repeat(64)},sig=${good}`
    expect((await send(acme(), { 'x-acme-signature': several, 'x-acme-delivery': 'd-3' })).status).toBe(202)
    const rotating = acme({ secret: ['new-secret', new TextEncoder().encode(secret)] })
    expect((await send(rotating, { 'x-acme-signature': `t=${t},sig=${good}`, 'x-acme-delivery': 'd-4' })).status).toBe(
      202,
    )
    const capped = acme({ maxSignatures: 1 })
    expect((await send(capped, { 'x-acme-signature': several, 'x-acme-delivery': 'd-5' })).code).toBe(
      'invalid_signature',
    )
  })

  test('signatures are compared as text, strictly', async () => {
    const t = now()
    const upper = hmac(`${t}.${body}`).toUpperCase()
    expect((await send(acme(), { 'x-acme-signature': `t=${t},sig=${upper}`, 'x-acme-delivery': 'd' })).code).toBe(
      'invalid_signature',
    )
    const base64 = hmacSignature({ secret, header: 'x-sig', algorithm: 'sha256', encoding: 'base64' })
    const padded = hmac(body, 'base64')
    expect((await send(base64, { 'x-sig': padded })).status).toBe(202)
    expect((await send(base64, { 'x-sig': padded.replace(/=+$/, '') })).code).toBe('invalid_signature')
    expect((await send(base64, { 'x-sig': `${padded}AA` })).code).toBe('invalid_signature')
  })

  test('signed headers in the template, sha512 and a repeated single header', async () => {
    const signer = hmacSignature({
      secret,
      header: 'x-sig',
      algorithm: 'sha512',
      encoding: 'base64',
      signedContent: 'POST\n{header:X-Request-Id}\n{body}',
    })
    const sig = createHmac('sha512', secret).update(`POST\nr-1\n${body}`).digest('base64')
    expect((await send(signer, { 'x-sig': sig, 'x-request-id': 'r-1' })).status).toBe(202)
    expect((await send(signer, { 'x-sig': sig, 'x-request-id': 'r-2' })).code).toBe('invalid_signature')
    expect((await send(signer, { 'x-sig': sig })).code).toBe('invalid_signature')
  })

  test('options are validated at creation, naming the option', () => {
    const base = { secret, header: 'x-sig', algorithm: 'sha256', encoding: 'hex' } as const
    expect(() => hmacSignature({ ...base, secret: '' })).toThrow(/secret\[0\]/)
    expect(() => hmacSignature({ ...base, secret: [] })).toThrow(/secret/)
    // @ts-expect-error not a hash we support
    expect(() => hmacSignature({ ...base, algorithm: 'md5' })).toThrow(/algorithm/)
    // @ts-expect-error not an encoding we support
    expect(() => hmacSignature({ ...base, encoding: 'base64url' })).toThrow(/encoding/)
    expect(() => hmacSignature({ ...base, header: 'x sig' })).toThrow(/header/)
    expect(() => hmacSignature({ ...base, signedContent: '{timestamp}' })).toThrow(/\{body\}/)
    expect(() => hmacSignature({ ...base, signedContent: '{nonce}.{body}' })).toThrow(/nonce/)
    expect(() => hmacSignature({ ...base, signedContent: '{timestamp}.{body}' })).toThrow(/timestamp/)
    expect(() => hmacSignature({ ...base, timestamp: { entry: 't=' } })).toThrow(/separator/)
    expect(() => hmacSignature({ ...base, toleranceSeconds: 0 })).toThrow(/toleranceSeconds/)
    expect(() => hmacSignature({ ...base, keepHeaders: ['x-sig'] })).toThrow(/keepHeaders/)
  })
})

describe('hmacSignature().verify, part by part', () => {
  const enc = new TextEncoder()
  const ctx = (headers: Record<string, string>) => ({
    method: 'POST',
    headers,
    body: enc.encode(body),
    params: {},
    tls: undefined,
    nowMs: 1_700_000_000_000,
    toleranceSeconds: 300,
  })
  const stamped = hmacSignature({
    secret,
    header: 'x-sig',
    algorithm: 'sha256',
    encoding: 'hex',
    separator: ' ',
    prefix: 'v1=',
    timestamp: { header: 'x-ts' },
    signedContent: 'v0:{header:x-ts}:{body}',
  })

  test('a timestamp from its own header is signed through {header:…} and returned', async () => {
    const sig = hmac(`v0:1700000000:${body}`)
    const headers = { 'x-ts': '1700000000', 'x-sig': `v0=00 v1=${'0'.repeat(64)} v1=${sig}` }
    expect(await stamped.verify(ctx(headers))).toEqual({ timestamp: 1_700_000_000 })
    await expect(stamped.verify(ctx({ 'x-sig': `v1=${sig}` }))).rejects.toMatchObject({ code: 'invalid_timestamp' })
    const stale = { 'x-ts': '1699999000', 'x-sig': `v1=${hmac(`v0:1699999000:${body}`)}` }
    await expect(stamped.verify(ctx(stale))).rejects.toMatchObject({ code: 'timestamp_too_old' })
  })

  test("timestamp unit 'ms': Unix milliseconds, windowed to the millisecond, returned as seconds", async () => {
    const inMs = hmacSignature({
      secret,
      header: 'x-sig',
      algorithm: 'sha256',
      encoding: 'hex',
      separator: ',',
      prefix: 'v1=',
      timestamp: { entry: 't=', unit: 'ms' },
      signedContent: '{timestamp}.{body}',
      toleranceSeconds: 180,
    })
    const signedAt = (t: number) => ({ 'x-sig': `t=${t}, v1=${hmac(`${t}.${body}`)}` })
    expect(await inMs.verify(ctx(signedAt(1_700_000_000_123)))).toEqual({ timestamp: 1_700_000_000 })
    expect(await inMs.verify(ctx(signedAt(1_700_000_000_000 - 180_000)))).toEqual({ timestamp: 1_699_999_820 })
    const old = inMs.verify(ctx(signedAt(1_700_000_000_000 - 180_001)))
    await expect(old).rejects.toMatchObject({ code: 'timestamp_too_old' })
    const ahead = inMs.verify(ctx(signedAt(1_700_000_000_000 + 180_001)))
    await expect(ahead).rejects.toMatchObject({ code: 'timestamp_too_new' })
    // Read as seconds, the same header is some 54 000 years ahead.
    const asSeconds = hmacSignature({
      secret,
      header: 'x-sig',
      algorithm: 'sha256',
      encoding: 'hex',
      separator: ',',
      prefix: 'v1=',
      timestamp: { entry: 't=' },
      signedContent: '{timestamp}.{body}',
    })
    await expect(asSeconds.verify(ctx(signedAt(1_700_000_000_123)))).rejects.toMatchObject({
      code: 'timestamp_too_new',
    })
    expect(() =>
      hmacSignature({
        secret,
        header: 'x-sig',
        algorithm: 'sha256',
        encoding: 'hex',
        separator: ',',
        timestamp: { entry: 't=', unit: 'minutes' as never },
        signedContent: '{timestamp}.{body}',
      }),
    ).toThrow("hmac-signature: timestamp.unit must be 'seconds' or 'ms'")
  })

  test('with no signed timestamp, the digest that matched is the replay key', async () => {
    const plain = hmacSignature({ secret: ['old', secret], header: 'x-sig', algorithm: 'sha256', encoding: 'hex' })
    const sig = hmac(body)
    expect(await plain.verify(ctx({ 'x-sig': ` ${sig} ` }))).toEqual({ replayKey: { key: sig } })
    await expect(plain.verify(ctx({ 'x-sig': hmac(`${body} `) }))).rejects.toMatchObject({
      code: 'invalid_signature',
      detail: 'none of 1 x-sig signature entries matched 2 secret(s)',
    })
  })
})
