import { bearerToken, standardWebhooks } from '@hookguard/core'
import { expect } from 'vitest'
import { testSecret } from '../../packages/core/test-support/sign.js'
import { send } from '../http-client.js'
import {
  body,
  type ConformanceCase,
  deliver,
  expectRejected,
  expectRepeatedRefused,
  expectVerdict,
  headersFor,
  nowSeconds,
  secret,
} from './support.js'

const standardWebhooksCases: readonly ConformanceCase[] = [
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
      const headers = headersFor({ id: 'msg_multi' })
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
        const headers = headersFor({ id: 'msg_missing' })
        delete headers[header]
        expectRejected(server, await send(server.url, { headers, body }), status, code)
      },
    }),
  ),
  {
    name: 'rejects a repeated webhook-id header and enqueues nothing',
    async run(start, target) {
      const server = await start()
      const headers = headersFor({ id: 'msg_a' })
      const reply = await send(server.url, { headers: { ...headers, 'webhook-id': ['msg_a', 'msg_b'] }, body })
      // Joined, the id reads "msg_a, msg_b", which the signature does not cover.
      expectRepeatedRefused(server, reply, target, 'invalid_signature')
    },
  },
]

const timestampCases: readonly ConformanceCase[] = [
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
]

const signatureCases: readonly ConformanceCase[] = [
  {
    name: 'rejects a tampered body (401 invalid_signature)',
    async run(start) {
      const server = await start()
      const headers = headersFor({ id: 'msg_tampered' })
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
]

const bearerCases: readonly ConformanceCase[] = [
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
]

/** Step 5: every configured verifier passes. */
export const verifyCases: readonly ConformanceCase[] = [
  ...standardWebhooksCases,
  ...timestampCases,
  ...signatureCases,
  ...bearerCases,
]
