import { createHmac } from 'node:crypto'
import {
  bearerToken,
  eventBody,
  type GuardOptions,
  github,
  memoryStore,
  shopify,
  standardWebhooks,
} from '@hookguard/core'
import { expect, vi } from 'vitest'
import type { StartedTarget, TargetFacts, TargetSetup } from './harness.js'
import { type Reply, type SendInit, send } from './http-client.js'
import { type Delivery, signedHeaders, testSecret } from './sign.js'

/**
 * Starts the target under test with the default guard options below, overridden where given, and with
 * what `setup` asks to run before hookguard.
 */
export type Start = (overrides?: Partial<GuardOptions>, setup?: TargetSetup) => Promise<StartedTarget>

/** One behaviour every target must show, over real HTTP; `target` says where a target's outcome differs. */
export interface ConformanceCase {
  name: string
  run(start: Start, target: TargetFacts): Promise<void>
}

export const secret = testSecret('primary')
/** The guard's injected clock: a fixed second, half-way through it. */
export const nowSeconds = 1_700_000_000
const clock = () => nowSeconds * 1000 + 500

/** A signed JSON delivery's body. */
const body = JSON.stringify({ type: 'scan.completed', data: { scanId: 'abc' } })

/** The default guard: Standard Webhooks with the test secret, an enqueue that succeeds, the fixed clock. */
export function guardOptions(overrides: Partial<GuardOptions> = {}): GuardOptions {
  return { verify: [standardWebhooks({ secret: secret.whsec })], enqueue: () => {}, now: clock, ...overrides }
}

/** Sends a delivery signed with the test secret (or `init.signer`), with extra headers and options. */
function deliver(
  server: StartedTarget,
  delivery: Partial<Delivery> & { id: string },
  init: SendInit & { signer?: typeof secret } = {},
): Promise<Reply> {
  const full: Delivery = { timestamp: nowSeconds, body, ...delivery }
  const headers = { ...signedHeaders(init.signer ?? secret, full), ...init.headers }
  return send(server.url, { ...init, headers, body: full.body })
}

const retryStatuses = new Set([409, 429, 503])

/** Checks a reply is the verdict with this status and code, with the headers that status requires. */
function expectVerdict(reply: Reply, status: number, code: string): void {
  expect({ status: reply.status, code: reply.json?.code }).toEqual({ status, code })
  expect(reply.json?.status).toBe(status)
  const contentType = status < 300 ? 'application/json' : 'application/problem+json'
  expect(reply.headers['content-type']).toBe(contentType)
  if (status >= 400) expect(reply.json?.title).toEqual(expect.any(String))
  if (retryStatuses.has(status)) expect(reply.headers['retry-after']).toMatch(/^[1-9][0-9]*$/)
}

/** Checks a rejection and that nothing was enqueued. */
function expectRejected(server: StartedTarget, reply: Reply, status: number, code: string): void {
  expectVerdict(reply, status, code)
  expect(server.enqueued).toEqual([])
}

const nonUtf8 = Uint8Array.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0x7b, 0x22, 0xed, 0xa0, 0x80, 0x0a])

const raceCodes: Record<number, string> = { 202: 'accepted', 200: 'duplicate', 409: 'in_flight' }

/** The secret of the GitHub and Shopify cases. */
const senderSecret = 'hookguard conformance sender secret'
const hmacOf = (content: string, encoding: 'hex' | 'base64') =>
  createHmac('sha256', senderSecret).update(content).digest(encoding)

/** Senders that sign the body only, with the unsigned id header a captured delivery can be re-sent under. */
const bodyOnlySenders = [
  {
    name: 'GitHub',
    verify: () => github({ secret: senderSecret }),
    headers: (id: string, content: string) => ({
      'x-github-delivery': id,
      'x-github-event': 'issues',
      'x-hub-signature-256': `sha256=${hmacOf(content, 'hex')}`,
    }),
  },
  {
    name: 'Shopify',
    verify: () => shopify({ secret: senderSecret }),
    headers: (id: string, content: string) => ({
      'x-shopify-event-id': id,
      'x-shopify-topic': 'orders/create',
      'x-shopify-hmac-sha256': hmacOf(content, 'base64'),
    }),
  },
] as const

export const conformanceCases: readonly ConformanceCase[] = [
  {
    name: 'accepts a signed Standard Webhooks delivery and enqueues plain data',
    async run(start) {
      const server = await start()
      expectVerdict(await deliver(server, { id: 'msg_valid' }), 202, 'accepted')
      expect(server.enqueued).toHaveLength(1)
      const event = server.enqueued[0]!
      expect(event).toMatchObject({
        id: 'msg_valid',
        type: 'scan.completed',
        timestamp: nowSeconds,
        method: 'POST',
        path: '/hooks',
        payload: { type: 'scan.completed', data: { scanId: 'abc' } },
        contentType: 'application/json',
        sourceIp: '127.0.0.1',
        auth: [{ verifier: 'standard-webhooks' }],
      })
      expect(event.headers['webhook-id']).toBe('msg_valid')
      expect(new TextDecoder().decode(eventBody(event))).toBe(body)
      expect(JSON.parse(JSON.stringify(event))).toEqual(event)
    },
  },
  {
    name: 'accepts a Svix-branded delivery (svix-* headers)',
    async run(start) {
      const server = await start()
      expectVerdict(await deliver(server, { id: 'msg_svix', prefix: 'svix' }), 202, 'accepted')
      expect(server.enqueued.map((e) => [e.id, e.headers['svix-id']])).toEqual([['msg_svix', 'msg_svix']])
    },
  },
  {
    name: 'accepts when one of several signature entries is valid',
    async run(start) {
      const server = await start()
      const headers = signedHeaders(secret, { id: 'msg_multi', timestamp: nowSeconds, body })
      const signature = `v1,${Buffer.alloc(32).toString('base64')} v2,abc ${headers['webhook-signature']}`
      const reply = await send(server.url, { headers: { ...headers, 'webhook-signature': signature }, body })
      expectVerdict(reply, 202, 'accepted')
    },
  },
  ...(
    [
      ['webhook-id', 400, 'missing_event_id'],
      ['webhook-timestamp', 401, 'invalid_timestamp'],
      ['webhook-signature', 401, 'missing_signature'],
    ] as const
  ).map(
    ([header, status, code]): ConformanceCase => ({
      name: `rejects a delivery without ${header} (${status} ${code})`,
      async run(start) {
        const server = await start()
        const headers = signedHeaders(secret, { id: 'msg_missing', timestamp: nowSeconds, body })
        delete headers[header]
        expectRejected(server, await send(server.url, { headers, body }), status, code)
      },
    }),
  ),
  ...['', '1700000000.5', '-1700000000', '1.7e9', '0x6553f100', 'abc'].map(
    (timestamp): ConformanceCase => ({
      name: `rejects the malformed timestamp ${JSON.stringify(timestamp)}`,
      async run(start) {
        const server = await start()
        expectRejected(server, await deliver(server, { id: 'msg_badts', timestamp }), 401, 'invalid_timestamp')
      },
    }),
  ),
  ...(
    [
      ['exactly 300 s old', -300, 202, 'accepted'],
      ['301 s old', -301, 401, 'timestamp_too_old'],
      ['exactly 300 s ahead', 300, 202, 'accepted'],
      ['301 s ahead', 301, 401, 'timestamp_too_new'],
    ] as const
  ).map(
    ([label, offset, status, code]): ConformanceCase => ({
      name: `timestamp ${label}: ${status} ${code}`,
      async run(start) {
        const server = await start()
        const reply = await deliver(server, { id: 'msg_edge', timestamp: nowSeconds + offset })
        expectVerdict(reply, status, code)
        expect(server.enqueued).toHaveLength(status === 202 ? 1 : 0)
      },
    }),
  ),
  {
    name: 'honours a per-guard tolerance at its exact edge',
    async run(start) {
      const server = await start({ toleranceSeconds: 10 })
      expectVerdict(await deliver(server, { id: 'msg_tol_in', timestamp: nowSeconds - 10 }), 202, 'accepted')
      expectVerdict(await deliver(server, { id: 'msg_tol_out', timestamp: nowSeconds - 11 }), 401, 'timestamp_too_old')
    },
  },
  {
    name: 'rejects a tampered body (401 invalid_signature)',
    async run(start) {
      const server = await start()
      const headers = signedHeaders(secret, { id: 'msg_tampered', timestamp: nowSeconds, body })
      const tampered = body.replace('abc', 'abd')
      expectRejected(server, await send(server.url, { headers, body: tampered }), 401, 'invalid_signature')
    },
  },
  {
    name: 'rejects a signature made with another secret',
    async run(start) {
      const server = await start()
      const reply = await deliver(server, { id: 'msg_other' }, { signer: testSecret('stranger') })
      expectRejected(server, reply, 401, 'invalid_signature')
    },
  },
  {
    name: 'accepts both secrets during a rotation, and no other',
    async run(start) {
      const previous = testSecret('previous')
      const server = await start({ verify: [standardWebhooks({ secret: [previous.whsec, secret.whsec] })] })
      expectVerdict(await deliver(server, { id: 'msg_old' }, { signer: previous }), 202, 'accepted')
      expectVerdict(await deliver(server, { id: 'msg_new' }), 202, 'accepted')
      const stranger = await deliver(server, { id: 'msg_x' }, { signer: testSecret('stranger') })
      expectVerdict(stranger, 401, 'invalid_signature')
      expect(server.enqueued.map((e) => e.id)).toEqual(['msg_old', 'msg_new'])
    },
  },
  {
    name: 'bearer token in Authorization: right accepted, wrong and missing rejected',
    async run(start) {
      const server = await start({ verify: [bearerToken({ tokens: 'tok_right' })], eventId: { header: 'x-delivery' } })
      const post = (id: string, authorization?: string) =>
        send(server.url, {
          headers: { 'content-type': 'application/json', 'x-delivery': id, ...(authorization && { authorization }) },
          body,
        })
      expectVerdict(await post('d_wrong', 'Bearer tok_wrong'), 401, 'invalid_token')
      expectVerdict(await post('d_none'), 401, 'missing_credentials')
      expectVerdict(await post('d_basic', 'Basic dG9rX3JpZ2h0'), 401, 'missing_credentials')
      expectVerdict(await post('d_right', 'Bearer tok_right'), 202, 'accepted')
      expect(server.enqueued.map((e) => [e.id, e.auth])).toEqual([['d_right', [{ verifier: 'bearer-token' }]]])
      expect(server.enqueued[0]!.headers).not.toHaveProperty('authorization')
    },
  },
  {
    name: 'bearer token in a custom header: right accepted, wrong rejected',
    async run(start) {
      const verify = [bearerToken({ tokens: ['tok_old', 'tok_new'], header: 'X-Webhook-Token' })]
      const server = await start({ verify, eventId: { header: 'x-delivery' } })
      const post = (id: string, token: string) =>
        send(server.url, { headers: { 'x-delivery': id, 'x-webhook-token': token }, body: 'ping' })
      expectVerdict(await post('d_wrong', 'tok_newer'), 401, 'invalid_token')
      expectVerdict(await post('d_bearer', 'Bearer tok_new'), 401, 'invalid_token')
      expectVerdict(await post('d_new', 'tok_new'), 202, 'accepted')
      expectVerdict(await post('d_old', 'tok_old'), 202, 'accepted')
      expect(server.enqueued.map((e) => e.id)).toEqual(['d_new', 'd_old'])
    },
  },
  {
    name: 'accepts a client inside allowIps',
    async run(start) {
      const server = await start({ allowIps: ['203.0.113.0/24', '127.0.0.0/8'] })
      expectVerdict(await deliver(server, { id: 'msg_ip_ok' }), 202, 'accepted')
    },
  },
  {
    name: 'rejects a client outside allowIps (403 ip_not_allowed)',
    async run(start) {
      const server = await start({ allowIps: ['203.0.113.0/24', '::1'] })
      expectRejected(server, await deliver(server, { id: 'msg_ip_denied' }), 403, 'ip_not_allowed')
    },
  },
  {
    name: 'matches an IPv4 client against an IPv4-mapped IPv6 rule',
    async run(start) {
      const server = await start({ allowIps: ['::ffff:127.0.0.0/104'] })
      expectVerdict(await deliver(server, { id: 'msg_mapped' }), 202, 'accepted')
      expect(server.enqueued[0]!.sourceIp).toBe('127.0.0.1')
    },
  },
  {
    name: 'ignores a spoofed X-Forwarded-For when no proxy is trusted',
    async run(start) {
      const server = await start({ allowIps: ['203.0.113.9'] })
      const spoofed = await deliver(server, { id: 'msg_spoof' }, { headers: { 'x-forwarded-for': '203.0.113.9' } })
      expectRejected(server, spoofed, 403, 'ip_not_allowed')
    },
  },
  {
    name: 'honours X-Forwarded-For through a trusted proxy, IPv4-mapped hops included',
    async run(start) {
      const server = await start({ allowIps: ['203.0.113.0/24'], trustProxy: ['127.0.0.1'] })
      const through = (id: string, forwardedFor: string) =>
        deliver(server, { id }, { headers: { 'x-forwarded-for': forwardedFor } })
      expectVerdict(await through('msg_fwd', '198.51.100.7, 203.0.113.9'), 202, 'accepted')
      expectVerdict(await through('msg_fwd_mapped', '::ffff:203.0.113.10'), 202, 'accepted')
      expectVerdict(await through('msg_fwd_out', '203.0.113.9, 198.51.100.7'), 403, 'ip_not_allowed')
      expect(server.enqueued.map((e) => e.sourceIp)).toEqual(['203.0.113.9', '203.0.113.10'])
    },
  },
  {
    name: 'rejects a body over the limit by its Content-Length (413)',
    async run(start) {
      const server = await start({ maxBodyBytes: 1024 })
      const large = JSON.stringify({ type: 'big', pad: 'x'.repeat(2000) })
      expectRejected(server, await deliver(server, { id: 'msg_big', body: large }), 413, 'payload_too_large')
    },
  },
  {
    name: 'rejects a chunked body over the limit, with no Content-Length (413)',
    async run(start) {
      const server = await start({ maxBodyBytes: 1024 })
      const large = JSON.stringify({ type: 'big', pad: 'x'.repeat(4000) })
      const reply = await deliver(server, { id: 'msg_chunked', body: large }, { framing: 'chunked' })
      expectRejected(server, reply, 413, 'payload_too_large')
    },
  },
  {
    name: 'accepts a chunked body within the limit',
    async run(start) {
      const server = await start({ maxBodyBytes: 1024 })
      expectVerdict(await deliver(server, { id: 'msg_chunked_ok' }, { framing: 'chunked' }), 202, 'accepted')
      expect(new TextDecoder().decode(eventBody(server.enqueued[0]!))).toBe(body)
    },
  },
  {
    name: 'answers 408 when the body stalls past the idle timeout',
    async run(start) {
      const server = await start({ bodyTimeoutMs: 150 })
      expectRejected(server, await deliver(server, { id: 'msg_stall' }, { framing: 'stall' }), 408, 'body_timeout')
    },
  },
  {
    name: 'answers 405 with Allow to a method that is not allowed',
    async run(start) {
      const server = await start()
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const reply = await send(server.url, { method })
        expectRejected(server, reply, 405, 'method_not_allowed')
        expect(reply.headers.allow).toBe('POST')
      }
    },
  },
  {
    name: 'accepts PUT when configured, and lists it in Allow',
    async run(start) {
      const server = await start({ methods: ['POST', 'PUT'] })
      expectVerdict(await deliver(server, { id: 'msg_put' }, { method: 'PUT' }), 202, 'accepted')
      expect(server.enqueued[0]!.method).toBe('PUT')
      const reply = await send(server.url, { method: 'PATCH' })
      expectVerdict(reply, 405, 'method_not_allowed')
      expect(reply.headers.allow).toBe('POST, PUT')
    },
  },
  {
    name: 'rejects a compressed body (415 unsupported_encoding)',
    async run(start) {
      const server = await start()
      const reply = await deliver(server, { id: 'msg_gzip' }, { headers: { 'content-encoding': 'gzip' } })
      expectRejected(server, reply, 415, 'unsupported_encoding')
    },
  },
  {
    name: 'rejects a repeated webhook-id header and enqueues nothing',
    async run(start) {
      const server = await start()
      const headers = { ...signedHeaders(secret, { id: 'msg_a', timestamp: nowSeconds, body }) }
      const reply = await send(server.url, { headers: { ...headers, 'webhook-id': ['msg_a', 'msg_b'] }, body })
      // Node keeps repeated headers apart (400 duplicate_header); Web `Headers` join them, so the signature fails.
      expect([400, 401]).toContain(reply.status)
      expectRejected(server, reply, reply.status, reply.status === 400 ? 'duplicate_header' : 'invalid_signature')
    },
  },
  {
    name: 'answers 200 duplicate to a redelivery after success, without enqueuing again',
    async run(start) {
      const server = await start()
      expectVerdict(await deliver(server, { id: 'msg_dup' }), 202, 'accepted')
      expectVerdict(await deliver(server, { id: 'msg_dup' }), 200, 'duplicate')
      expectVerdict(await deliver(server, { id: 'msg_dup', prefix: 'svix' }), 200, 'duplicate')
      expect(server.enqueued).toHaveLength(1)
    },
  },
  {
    name: 'enqueues exactly once for 20 concurrent copies of one id',
    async run(start) {
      const server = await start({ enqueue: () => new Promise((resolve) => setTimeout(resolve, 100)) })
      const replies = await Promise.all(Array.from({ length: 20 }, () => deliver(server, { id: 'msg_race' })))
      const statuses = replies.map((r) => r.status)
      expect(statuses.filter((s) => s === 202)).toHaveLength(1)
      for (const reply of replies) {
        expect([202, 200, 409]).toContain(reply.status)
        expectVerdict(reply, reply.status, raceCodes[reply.status]!)
      }
      expect(server.enqueued).toHaveLength(1)
    },
  },
  {
    name: 'answers 503 when enqueue throws, then accepts the retry once',
    async run(start) {
      let calls = 0
      const server = await start({
        enqueue: () => {
          calls += 1
          if (calls === 1) throw new Error('queue down')
        },
      })
      expectRejected(server, await deliver(server, { id: 'msg_retry' }), 503, 'enqueue_failed')
      expectVerdict(await deliver(server, { id: 'msg_retry' }), 202, 'accepted')
      expectVerdict(await deliver(server, { id: 'msg_retry' }), 200, 'duplicate')
      expect(server.enqueued.map((e) => e.id)).toEqual(['msg_retry'])
      expect(calls).toBe(2)
    },
  },
  {
    name: 'an enqueue that outlives its timeout: 503, then 409 while it runs; done when it succeeds late, freed when it fails',
    async run(start) {
      // The first enqueue of each msg_late_* id hangs until the test settles it; every other enqueue succeeds.
      const late = new Map<string, { resolve: () => void; reject: (error: Error) => void }>()
      const server = await start({
        enqueueTimeoutMs: 100,
        enqueue: (event) => {
          const id = event.id as string
          if (!id.startsWith('msg_late') || late.has(id)) return undefined
          return new Promise<void>((resolve, reject) => void late.set(id, { resolve, reject }))
        },
      })
      expectRejected(server, await deliver(server, { id: 'msg_late_ok' }), 503, 'enqueue_timeout')
      expectVerdict(await deliver(server, { id: 'msg_late_ok' }), 409, 'in_flight')
      late.get('msg_late_ok')!.resolve()
      await vi.waitFor(() => expect(server.enqueued).toHaveLength(1))
      expectVerdict(await deliver(server, { id: 'msg_late_ok' }), 200, 'duplicate')

      expectVerdict(await deliver(server, { id: 'msg_late_fails' }), 503, 'enqueue_timeout')
      expectVerdict(await deliver(server, { id: 'msg_late_fails' }), 409, 'in_flight')
      late.get('msg_late_fails')!.reject(new Error('broker lost it'))
      // The late failure frees the id (on the microtasks after the rejection, before the next request arrives).
      expectVerdict(await deliver(server, { id: 'msg_late_fails' }), 202, 'accepted')
      expect(server.enqueued.map((e) => e.id)).toEqual(['msg_late_ok', 'msg_late_fails'])
    },
  },
  {
    name: 'takes the event type from the {STATUS} path parameter',
    async run(start) {
      const server = await start({ eventType: { param: 'status' } })
      expectVerdict(await deliver(server, { id: 'msg_status' }, { path: '/COMPLETED' }), 202, 'accepted')
      expect(server.enqueued[0]).toMatchObject({
        type: 'COMPLETED',
        path: '/hooks/COMPLETED',
        params: { status: 'COMPLETED' },
      })
    },
  },
  {
    name: 'hands non-UTF-8 body bytes to the event exactly',
    async run(start) {
      const server = await start()
      const delivery = { id: 'msg_bytes', body: nonUtf8, contentType: 'application/octet-stream' }
      expectVerdict(await deliver(server, delivery), 202, 'accepted')
      const event = server.enqueued[0]!
      expect(event.payload).toBeNull()
      expect(Buffer.from(eventBody(event))).toEqual(Buffer.from(nonUtf8))
      expect(Buffer.from(eventBody(JSON.parse(JSON.stringify(event))))).toEqual(Buffer.from(nonUtf8))
    },
  },
  {
    name: "invalid JSON under a valid signature: accepted with payload null by default, 400 invalid_json with parseJson: 'eager'",
    async run(start) {
      const lazy = await start()
      expectVerdict(await deliver(lazy, { id: 'msg_json', body: '{"type":' }), 202, 'accepted')
      const event = lazy.enqueued[0]!
      expect(event.payload).toBeNull()
      expect(Buffer.from(eventBody(event)).toString()).toBe('{"type":')
      const strict = await start({ parseJson: 'eager' })
      expectRejected(strict, await deliver(strict, { id: 'msg_json', body: '{"type":' }), 400, 'invalid_json')
      const bytes = await deliver(strict, { id: 'msg_json_bytes', body: Uint8Array.from([0x22, 0xff, 0x22]) })
      expectRejected(strict, bytes, 400, 'invalid_json')
    },
  },
  ...bodyOnlySenders.map(
    (sender): ConformanceCase => ({
      name: `${sender.name}: a captured delivery re-sent under a fresh id is a duplicate; another delivery is accepted`,
      async run(start) {
        const server = await start({ verify: [sender.verify()] })
        const post = (id: string, content: string) =>
          send(server.url, {
            headers: { 'content-type': 'application/json', ...sender.headers(id, content) },
            body: content,
          })
        const original = JSON.stringify({ action: 'opened', number: 7 })
        expectVerdict(await post('d-original', original), 202, 'accepted')
        for (const fresh of ['d-replay-1', 'd-replay-2']) {
          expectVerdict(await post(fresh, original), 200, 'duplicate')
        }
        expectVerdict(await post('d-other', JSON.stringify({ action: 'opened', number: 8 })), 202, 'accepted')
        // The replays freed the ids they claimed: a real delivery under one of them is still taken.
        expectVerdict(await post('d-replay-1', JSON.stringify({ action: 'closed', number: 7 })), 202, 'accepted')
        expect(server.enqueued.map((e) => e.id)).toEqual(['d-original', 'd-other', 'd-replay-1'])
      },
    }),
  ),
  {
    name: 'a signed id is never replaced by an unsigned one: one delivery sent to five paths is enqueued once',
    async run(start) {
      const server = await start({ eventId: { param: 'status' } })
      const replies = []
      for (const path of ['/a', '/b', '/c', '/d', '/e'])
        replies.push(await deliver(server, { id: 'msg_paths' }, { path }))
      expectVerdict(replies[0]!, 202, 'accepted')
      for (const reply of replies.slice(1)) expectVerdict(reply, 200, 'duplicate')
      // The path's id may stay the event's id, and is claimed too: another signed delivery to /a is a duplicate.
      expect(server.enqueued.map((e) => e.id)).toEqual(['a'])
      expectVerdict(await deliver(server, { id: 'msg_other' }, { path: '/a' }), 200, 'duplicate')
      expectVerdict(await deliver(server, { id: 'msg_other' }, { path: '/f' }), 202, 'accepted')
      expect(server.enqueued.map((e) => e.id)).toEqual(['a', 'f'])
    },
  },
  {
    name: 'a signed JSON body sent as text/plain: the payload and its type are still read',
    async run(start) {
      const server = await start()
      expectVerdict(await deliver(server, { id: 'msg_text', contentType: 'text/plain' }), 202, 'accepted')
      expect(server.enqueued[0]).toMatchObject({
        type: 'scan.completed',
        payload: { type: 'scan.completed', data: { scanId: 'abc' } },
        contentType: 'text/plain',
      })
    },
  },
  {
    name: 'guards sharing a store never meet: namespace shop with id eu:evt_9, namespace shop:eu with id evt_9',
    async run(start) {
      const store = memoryStore()
      const tenantA = await start({ dedupe: store, namespace: 'shop' })
      const tenantB = await start({ dedupe: store, namespace: 'shop:eu' })
      expectVerdict(await deliver(tenantA, { id: 'eu:evt_9' }), 202, 'accepted')
      expectVerdict(await deliver(tenantB, { id: 'evt_9' }), 202, 'accepted')
      expectVerdict(await deliver(tenantB, { id: 'evt_9' }), 200, 'duplicate')
      expect(tenantA.enqueued.map((e) => e.id)).toEqual(['eu:evt_9'])
      expect(tenantB.enqueued.map((e) => e.id)).toEqual(['evt_9'])
    },
  },
]
