import { gzipSync } from 'node:zlib'
import { describe, expect, test } from 'vitest'
import { makeSecret, signedHeaders } from '../../test-support/sign.js'
import { createGuard } from '../guard.js'
import type { WebhookEvent } from '../types.js'
import { standardWebhooks } from '../verify/standard-webhooks.js'
import { maxInflateRatio } from './decompress.js'

const secret = makeSecret()
const body = JSON.stringify({ type: 'report.ready', data: 'x'.repeat(2000) })

function guard(decompress: boolean, maxBodyBytes = 1024 * 1024) {
  const enqueued: WebhookEvent[] = []
  const g = createGuard({
    verify: [standardWebhooks({ secret: secret.whsec })],
    enqueue: (event) => {
      enqueued.push(event)
    },
    decompress,
    maxBodyBytes,
  })
  return { g, enqueued }
}

const gzipped = (id: string, payload: string | Uint8Array, signed: string | Uint8Array = payload) => ({
  method: 'POST',
  headers: { ...signedHeaders(secret.key, { id, body: signed }), 'content-encoding': 'gzip' },
  body: gzipSync(payload),
})

describe('Content-Encoding', () => {
  test('refused with 415 unless decompression is on', async () => {
    const { g } = guard(false)
    expect((await g.process(gzipped('z1', body))).code).toBe('unsupported_encoding')
    expect((await g.process({ ...gzipped('z1', body), headers: { 'content-encoding': 'br' } })).status).toBe(415)
  })

  test('with decompress, a gzip body is inflated and verified over the inflated bytes', async () => {
    const { g, enqueued } = guard(true)
    const verdict = await g.process(gzipped('z2', body))
    expect(verdict.status).toBe(202)
    expect(enqueued[0]?.payload).toEqual(JSON.parse(body))
  })

  test('a gzip bomb is 413: the limit applies to decompressed bytes', async () => {
    const { g, enqueued } = guard(true, 64 * 1024)
    const bomb = new Uint8Array(50 * 1024 * 1024)
    const request = gzipped('z3', bomb, 'irrelevant')
    expect(request.body.byteLength).toBeLessThan(64 * 1024)
    const verdict = await g.process(request)
    expect([verdict.status, verdict.code]).toEqual([413, 'payload_too_large'])
    expect(enqueued).toHaveLength(0)
  })

  test(`a gzip body inflating past ${maxInflateRatio} times its size is 413, though within the limit`, async () => {
    const { g, enqueued } = guard(true)
    const inflated = JSON.stringify({ type: 'report.ready', data: 'x'.repeat(200_000) })
    const request = gzipped('z5', inflated)
    expect(inflated.length).toBeGreaterThan(maxInflateRatio * request.body.byteLength)
    expect(inflated.length).toBeLessThan(1024 * 1024)
    const verdict = await g.process(request)
    expect([verdict.status, verdict.code]).toEqual([413, 'payload_too_large'])
    expect(enqueued).toHaveLength(0)
  })

  test(`up to ${maxInflateRatio} times its size is inflated and verified`, async () => {
    const { g, enqueued } = guard(true)
    // A long run of one character: about 70 times, near the cap but under it.
    const inflated = JSON.stringify({ type: 'report.ready', data: 'x'.repeat(5_000) })
    const request = gzipped('z6', inflated)
    expect(inflated.length).toBeLessThanOrEqual(maxInflateRatio * request.body.byteLength)
    expect((await g.process(request)).status).toBe(202)
    expect(enqueued[0]?.payload).toEqual(JSON.parse(inflated))
  })

  test('a gzip body with no credential headers is 401 before it is inflated', async () => {
    const { g } = guard(true)
    // Corrupt gzip: inflating it would answer 400 invalid_body.
    const corrupt = { method: 'POST', headers: { 'content-encoding': 'gzip' }, body: new Uint8Array([0x1f, 0x8b, 1]) }
    expect((await g.process(corrupt)).code).toBe('missing_signature')
  })

  test('a corrupt gzip body is 400 invalid_body', async () => {
    const { g } = guard(true)
    const request = { ...gzipped('z4', body), body: new Uint8Array([0x1f, 0x8b, 1, 2, 3]) }
    expect((await g.process(request)).code).toBe('invalid_body')
  })
})
