import { describe, expect, test, vi } from 'vitest'
import { makeSecret, signedHeaders } from '../test-support/sign.js'
import { dedupeKey } from './dedupe/dedupe-key.js'
import { memoryStore } from './dedupe/memory-store.js'
import type { DedupeStore } from './dedupe/store.js'
import { QueueFullError } from './errors.js'
import { eventBody } from './event/event.js'
import { createGuard } from './guard.js'
import type { GuardOptions } from './options.js'
import type { WebhookEvent, WebhookRequest } from './types.js'
import { bearerToken } from './verify/bearer-token.js'
import { standardWebhooks } from './verify/standard-webhooks.js'

const secret = makeSecret()
const body = JSON.stringify({ type: 'scan.completed', data: { scanId: 'abc' } })

function setup(options: Partial<GuardOptions> = {}) {
  const enqueued: WebhookEvent[] = []
  const logs: { level: string; record: Record<string, unknown> }[] = []
  const log = (level: string) => (record: object) => logs.push({ level, record: record as Record<string, unknown> })
  const guard = createGuard({
    verify: [standardWebhooks({ secret: secret.whsec })],
    enqueue: (event) => {
      enqueued.push(event)
    },
    logger: { info: log('info'), warn: log('warn'), error: log('error') },
    ...options,
  })
  return { guard, enqueued, logs }
}

function request(overrides: Partial<WebhookRequest> & { id?: string; payload?: string } = {}): WebhookRequest {
  const payload = overrides.payload ?? body
  return {
    method: 'POST',
    headers: signedHeaders(secret.key, { id: overrides.id ?? 'msg_1', body: payload }),
    remoteAddress: '203.0.113.9',
    body: payload,
    ...overrides,
  }
}

describe('createGuard: the pipeline', () => {
  test('accepts a signed delivery: 202, one enqueue, a complete event', async () => {
    const { guard, enqueued } = setup()
    const verdict = await guard.process(request({ params: { status: 'COMPLETED' }, path: '/hooks/COMPLETED' }))
    expect(verdict.status).toBe(202)
    expect(verdict.code).toBe('accepted')
    expect(verdict.headers['content-type']).toBe('application/json')
    expect(enqueued).toHaveLength(1)
    const event = enqueued[0]!
    expect(event).toMatchObject({
      id: 'msg_1',
      type: 'scan.completed',
      method: 'POST',
      path: '/hooks/COMPLETED',
      params: { status: 'COMPLETED' },
      payload: { type: 'scan.completed', data: { scanId: 'abc' } },
      contentType: 'application/json',
      sourceIp: '203.0.113.9',
      auth: [{ verifier: 'standard-webhooks' }],
    })
    expect(event.headers['webhook-id']).toBe('msg_1')
    expect(event.headers['webhook-signature']).toBeUndefined()
    expect(new TextDecoder().decode(eventBody(event))).toBe(body)
  })

  test('the event survives JSON.stringify and back, raw bytes included', async () => {
    const { guard, enqueued } = setup()
    const raw = new Uint8Array([0xff, 0x00, 0xfe, 0x80, 0x7f])
    const headers = {
      ...signedHeaders(secret.key, { id: 'msg_raw', body: raw }),
      'content-type': 'application/octet-stream',
    }
    expect((await guard.process({ method: 'POST', headers, body: raw })).status).toBe(202)
    const copy = JSON.parse(JSON.stringify(enqueued[0])) as WebhookEvent
    expect(copy).toEqual(enqueued[0])
    expect(eventBody(copy)).toEqual(raw)
    expect(copy.payload).toBeNull()
  })

  test('a duplicate after success answers 200 and is not enqueued again', async () => {
    const { guard, enqueued } = setup()
    expect((await guard.process(request())).status).toBe(202)
    const again = await guard.process(request())
    expect(again.status).toBe(200)
    expect(again.code).toBe('duplicate')
    expect(enqueued).toHaveLength(1)
  })

  test('20 concurrent copies of one id: exactly one enqueue, the rest 409 or 200', async () => {
    let release: () => void = () => {}
    const gate = new Promise<void>((r) => {
      release = r
    })
    const enqueue = vi.fn(() => gate)
    const { guard } = setup({ enqueue })
    const pending = Array.from({ length: 20 }, () => guard.process(request()))
    await new Promise((r) => setTimeout(r, 20))
    release()
    const verdicts = await Promise.all(pending)
    expect(enqueue).toHaveBeenCalledTimes(1)
    expect(verdicts.filter((v) => v.status === 202)).toHaveLength(1)
    for (const v of verdicts.filter((v) => v.status !== 202)) {
      expect(v.status).toBe(409)
      expect(v.code).toBe('in_flight')
      expect(v.headers['retry-after']).toBe('5')
    }
  })

  test('enqueue failing then a retry succeeding: 503 then 202, one event enqueued', async () => {
    let calls = 0
    const events: WebhookEvent[] = []
    const { guard, logs } = setup({
      enqueue: (event) => {
        calls += 1
        if (calls === 1) throw new Error('broker down')
        events.push(event)
      },
    })
    const first = await guard.process(request())
    expect(first.status).toBe(503)
    expect(first.code).toBe('enqueue_failed')
    expect(first.headers['retry-after']).toBe('5')
    expect(first.headers['content-type']).toBe('application/problem+json')
    expect(JSON.parse(first.body)).toEqual({
      status: 503,
      code: 'enqueue_failed',
      title: 'Could not enqueue the event',
    })
    expect(logs.at(-1)?.record.detail).toContain('broker down')
    const second = await guard.process(request())
    expect(second.status).toBe(202)
    expect(events.map((e) => e.id)).toEqual(['msg_1'])
  })

  test('an enqueue that outlives its timeout: 503 enqueue_timeout, the id held (409) until it settles', async () => {
    const settles: { resolve: () => void; reject: (error: Error) => void }[] = []
    const enqueue = vi.fn(() => new Promise<void>((resolve, reject) => settles.push({ resolve, reject })))
    const { guard } = setup({ enqueueTimeoutMs: 50, enqueue })
    const verdict = await guard.process(request())
    expect([verdict.status, verdict.code]).toEqual([503, 'enqueue_timeout'])
    const meanwhile = await guard.process(request())
    expect([meanwhile.status, meanwhile.code]).toEqual([409, 'in_flight'])
    // The late enqueue succeeds: the id is done, and the sender's retry is a duplicate, not a second enqueue.
    settles[0]!.resolve()
    await vi.waitFor(async () => expect((await guard.process(request())).code).toBe('duplicate'))
    expect(enqueue).toHaveBeenCalledTimes(1)
  })

  test('an enqueue that fails after its timeout frees the id: the retry is enqueued', async () => {
    let fail: (error: Error) => void = () => {}
    const late = new Promise<void>((_, reject) => {
      fail = reject
    })
    const enqueue = vi.fn((_event: WebhookEvent) => (enqueue.mock.calls.length === 1 ? late : undefined))
    const { guard, logs } = setup({ enqueueTimeoutMs: 50, enqueue })
    expect((await guard.process(request())).code).toBe('enqueue_timeout')
    expect((await guard.process(request())).code).toBe('in_flight')
    fail(new Error('broker lost the job'))
    await vi.waitFor(() => expect(logs.some((log) => String(log.record.detail).includes('broker lost'))).toBe(true))
    expect((await guard.process(request())).status).toBe(202)
    expect(enqueue).toHaveBeenCalledTimes(2)
  })

  test('QueueFullError answers 503 queue_full', async () => {
    const { guard } = setup({
      enqueue: () => {
        throw new QueueFullError()
      },
    })
    const verdict = await guard.process(request())
    expect([verdict.status, verdict.code]).toEqual([503, 'queue_full'])
  })

  test('a forged delivery carrying a real id takes no claim', async () => {
    const { guard, enqueued } = setup()
    const forged = request({ id: 'msg_real' })
    forged.body = '{"type":"forged"}'
    expect((await guard.process(forged)).code).toBe('invalid_signature')
    expect((await guard.process(request({ id: 'msg_real' }))).status).toBe(202)
    expect(enqueued).toHaveLength(1)
  })

  test("invalid JSON with a valid signature, parseJson: 'eager': 400 invalid_json, the id not taken", async () => {
    const { guard } = setup({ parseJson: 'eager' })
    const verdict = await guard.process(request({ payload: '{"broken":' }))
    expect([verdict.status, verdict.code]).toEqual([400, 'invalid_json'])
    expect((await guard.process(request())).status).toBe(202)
  })

  test('invalid JSON with a valid signature: by default accepted, payload null, the raw bytes kept', async () => {
    const { guard, enqueued } = setup()
    const verdict = await guard.process(request({ payload: '{"broken":' }))
    expect(verdict.status).toBe(202)
    expect(enqueued[0]!.payload).toBeNull()
    expect(Buffer.from(enqueued[0]!.bodyBase64, 'base64').toString()).toBe('{"broken":')
  })

  test('methods: POST by default, PUT when configured, 405 with Allow otherwise', async () => {
    const { guard } = setup()
    const verdict = await guard.process(request({ method: 'PUT' }))
    expect([verdict.status, verdict.code, verdict.headers.allow]).toEqual([405, 'method_not_allowed', 'POST'])
    const withPut = setup({ methods: ['POST', 'PUT'] }).guard
    expect((await withPut.process(request({ method: 'PUT' }))).status).toBe(202)
  })

  test('IP allowlist: allowed, denied, mapped, and no address at all', async () => {
    const { guard } = setup({ allowIps: ['203.0.113.0/24'] })
    expect((await guard.process(request({ id: 'a', remoteAddress: '203.0.113.9' }))).status).toBe(202)
    expect((await guard.process(request({ id: 'b', remoteAddress: '::ffff:203.0.113.10' }))).status).toBe(202)
    const denied = await guard.process(request({ id: 'c', remoteAddress: '198.51.100.1' }))
    expect([denied.status, denied.code]).toEqual([403, 'ip_not_allowed'])
    expect((await guard.process(request({ id: 'd', remoteAddress: undefined }))).code).toBe('ip_not_allowed')
  })

  test('body limits: declared Content-Length and actual bytes', async () => {
    const { guard } = setup({ maxBodyBytes: 64 })
    const big = JSON.stringify({ type: 'x', pad: 'y'.repeat(100) })
    const declared = request({ payload: big })
    declared.headers = { ...declared.headers, 'content-length': String(big.length) }
    const byLength = await guard.process(declared)
    expect([byLength.status, byLength.code, byLength.headers.connection]).toEqual([413, 'payload_too_large', 'close'])
    const byBytes = await guard.process(request({ payload: big }))
    expect([byBytes.status, byBytes.code]).toEqual([413, 'payload_too_large'])
  })

  test('a declared Content-Length is compared as a number, whatever its digits', async () => {
    const declaring = (length: string, payload: string) => {
      const req = request({ payload })
      req.headers = { ...req.headers, 'content-length': length }
      return req
    }
    const small = JSON.stringify({ type: 'x' })
    for (const [maxBodyBytes, length, expected] of [
      [100, '101', 413],
      [100, '0101', 413],
      [100, '100', 202],
      [100, '99', 202],
      [100.5, '101', 413],
      [1000, '999', 202],
      [1000, '10000', 413],
    ] as const) {
      const verdict = await setup({ maxBodyBytes }).guard.process(declaring(length, small))
      // 413 before the body is read: the connection closes.
      expect([maxBodyBytes, length, verdict.status, verdict.headers.connection]).toEqual(
        expected === 413 ? [maxBodyBytes, length, 413, 'close'] : [maxBodyBytes, length, 202, undefined],
      )
    }
  })

  test('a compressed body is refused with 415', async () => {
    const { guard } = setup()
    const compressed = request()
    compressed.headers = { ...compressed.headers, 'content-encoding': 'gzip' }
    expect((await guard.process(compressed)).code).toBe('unsupported_encoding')
  })

  test('a body consumed by a parser answers 500 raw_body_unavailable and logs the fix', async () => {
    const { guard, logs } = setup()
    const verdict = await guard.process(request({ bodyUnavailable: 'mount hookguard before express.json()' }))
    expect([verdict.status, verdict.code]).toEqual([500, 'raw_body_unavailable'])
    expect(logs.at(-1)).toMatchObject({ level: 'error', record: { detail: 'mount hookguard before express.json()' } })
  })

  test('event ids are validated before any store call', async () => {
    const claim = vi.fn()
    const store: DedupeStore = { claim, complete: vi.fn(), release: vi.fn() }
    const { guard } = setup({ dedupe: store, verify: [bearerToken({ tokens: 't0ken' })], eventId: { header: 'x-id' } })
    for (const id of ['', 'has space', 'line\nbreak', 'tab\tid', 'x'.repeat(257), 'é']) {
      const verdict = await guard.process({
        method: 'POST',
        headers: { authorization: 'Bearer t0ken', 'x-id': id },
        body: '{}',
      })
      expect([verdict.status, verdict.code]).toEqual([400, 'invalid_event_id'])
    }
    expect(claim).not.toHaveBeenCalled()
  })

  test('no event id with dedupe on is 400 missing_event_id; with dedupe off the event has id null', async () => {
    const verify = [bearerToken({ tokens: 't0ken' })]
    const headers = { authorization: 'Bearer t0ken', 'content-type': 'application/json' }
    const withDedupe = setup({ verify }).guard
    expect((await withDedupe.process({ method: 'POST', headers, body: '{}' })).code).toBe('missing_event_id')
    const { guard, enqueued } = setup({ verify, dedupe: false })
    expect((await guard.process({ method: 'POST', headers, body: '{"type":"ping"}' })).status).toBe(202)
    expect(enqueued[0]).toMatchObject({ id: null, type: 'ping' })
  })

  test('event id and type from a path parameter, a header or the payload', async () => {
    const { guard, enqueued } = setup({
      verify: [bearerToken({ tokens: 't0ken' })],
      eventId: { payload: 'data.scanId' },
      eventType: { param: 'status' },
    })
    const verdict = await guard.process({
      method: 'POST',
      headers: { authorization: 'Bearer t0ken', 'content-type': 'application/json' },
      params: { status: 'FAILED' },
      body,
    })
    expect(verdict.status).toBe(202)
    expect(enqueued[0]).toMatchObject({ id: 'abc', type: 'FAILED' })
  })

  test('the dedupe store failing: closed answers 503, open enqueues anyway', async () => {
    const broken: DedupeStore = {
      claim: () => {
        throw new Error('ECONNREFUSED')
      },
      complete: () => {},
      release: () => {},
    }
    const closed = setup({ dedupe: broken })
    const verdict = await closed.guard.process(request())
    expect([verdict.status, verdict.code, verdict.headers['retry-after']]).toEqual([503, 'store_unavailable', '5'])
    expect(closed.enqueued).toHaveLength(0)
    const open = setup({ dedupe: broken, storeFailure: 'open', namespace: 'open' })
    expect((await open.guard.process(request())).status).toBe(202)
    expect(open.enqueued).toHaveLength(1)
  })

  test('a store failure after a successful enqueue still answers 202', async () => {
    const store = memoryStore()
    const flaky: DedupeStore = {
      claim: (key, lease) => store.claim(key, lease),
      complete: () => Promise.reject(new Error('connection lost')),
      release: (key, token) => store.release(key, token),
    }
    const { guard, enqueued } = setup({ dedupe: flaky })
    expect((await guard.process(request())).status).toBe(202)
    expect(enqueued).toHaveLength(1)
  })

  test('dedupe keys are namespaced: two guards sharing a store do not collide', async () => {
    const store = memoryStore()
    const a = setup({ dedupe: store, namespace: 'a' })
    const b = setup({ dedupe: store, namespace: 'b' })
    expect((await a.guard.process(request())).status).toBe(202)
    expect((await b.guard.process(request())).status).toBe(202)
    expect((await b.guard.process(request())).status).toBe(200)
  })

  test("a store you pass sees namespaced keys; the default store is the guard's own and dedupes by the id", async () => {
    const claimed: string[] = []
    const store = memoryStore()
    const spying: DedupeStore = {
      claim: (key, lease) => {
        claimed.push(key)
        return store.claim(key, lease)
      },
      complete: (key, token, ttl) => store.complete(key, token, ttl),
      release: (key, token) => store.release(key, token),
    }
    const shared = setup({ dedupe: spying, namespace: 'billing' })
    expect((await shared.guard.process(request())).status).toBe(202)
    expect(claimed).toEqual([dedupeKey('billing', '', 'msg_1')])

    const own = setup()
    expect((await own.guard.process(request())).status).toBe(202)
    expect((await own.guard.process(request())).status).toBe(200)
    expect((await own.guard.process(request({ id: 'msg_2' }))).status).toBe(202)
    expect(own.enqueued.map((event) => event.id)).toEqual(['msg_1', 'msg_2'])
  })

  test('one log record per request, with outcome, code, id, source and latency; no secrets', async () => {
    const { guard, logs } = setup()
    await guard.process(request())
    await guard.process({ ...request({ remoteAddress: '198.51.100.1', id: 'msg_2' }), body: '{"x":1}' })
    expect(logs).toHaveLength(2)
    expect(logs[0]).toMatchObject({
      level: 'info',
      record: { outcome: 'accepted', code: 'accepted', eventId: 'msg_1', sourceIp: '203.0.113.9', status: 202 },
    })
    expect(typeof logs[0]!.record.latencyMs).toBe('number')
    expect(logs[1]).toMatchObject({ level: 'warn', record: { outcome: 'rejected', code: 'invalid_signature' } })
    expect(JSON.stringify(logs)).not.toContain(secret.whsec.slice(6))
  })

  test('an unexpected error in a verifier is a 500 internal_error, never a throw', async () => {
    const { guard } = setup({
      verify: [
        {
          name: 'broken',
          verify: () => {
            throw new RangeError('bug')
          },
        },
      ],
    })
    const verdict = await guard.process(request())
    expect([verdict.status, verdict.code]).toEqual([500, 'internal_error'])
  })

  test('guard.handle speaks Web Request and Response', async () => {
    const { guard, enqueued } = setup({ methods: ['POST'] })
    const headers = signedHeaders(secret.key, { id: 'msg_web', body })
    const response = await guard.handle(new Request('http://localhost/hooks/DONE', { method: 'POST', headers, body }), {
      remoteAddress: '203.0.113.9',
      params: { status: 'DONE' },
    })
    expect(response.status).toBe(202)
    expect(await response.json()).toEqual({ status: 202, code: 'accepted' })
    expect(enqueued[0]).toMatchObject({ id: 'msg_web', path: '/hooks/DONE', sourceIp: '203.0.113.9' })
  })

  test.each([
    [{ verify: [] }, /verify/],
    [{ enqueue: undefined }, /enqueue/],
    [{ allowIps: ['10.0.0.0/33'] }, /allowIps/],
    [{ trustProxy: ['nope'] }, /trustProxy/],
    [{ maxBodyBytes: -1 }, /maxBodyBytes/],
    [{ bodyDeadlineMs: 0 }, /bodyDeadlineMs must be a positive number/],
    [{ bodyDeadlineMs: Number.NaN }, /bodyDeadlineMs must be a positive number/],
    [{ bodyDeadlineMs: '30000' }, /bodyDeadlineMs must be a positive number/],
    [{ leaseMs: 1000, enqueueTimeoutMs: 3000 }, /leaseMs/],
    [{ methods: ['PO ST'] }, /methods/],
    [{ eventId: { nope: 'x' } }, /eventId/],
    [{ storeFailure: 'maybe' }, /storeFailure/],
  ])('invalid options fail at creation: %j', (overrides, message) => {
    expect(() => setup(overrides as Partial<GuardOptions>)).toThrow(message)
  })
})
