import { type KeyContext, keyResolver, standardWebhooks, twilio, x, zoom } from '@hookguard/core'
import { handshakeRequest, signRequest } from '@hookguard/testing'
import { expect } from 'vitest'
import { testSecret } from '../../packages/core/test-support/sign.js'
import { send } from '../http-client.js'
import { type ConformanceCase, deliver, expectRejected, expectVerdict, nowSeconds } from './support.js'

const acme = testSecret('tenant acme')
const globex = testSecret('tenant globex')
const rotated = testSecret('tenant acme rotated')

/** A resolver over a table of tenants' secrets that counts its lookups; the guard names the tenant by `/hooks/:status`. */
function tenantTable(table: Record<string, string[]> = { acme: [acme.whsec], globex: [globex.whsec] }) {
  const lookups: (string | undefined)[] = []
  const resolve = (context: KeyContext) => {
    lookups.push(context.tenant)
    return Object.hasOwn(table, context.tenant ?? '') ? table[context.tenant as string] : null
  }
  return { table, lookups, resolve }
}

const byPath = { tenant: { param: 'status' } } as const

/** The presets' own secrets per tenant (as a sender hands them out: plain strings), behind a counting resolver. */
const presetSecrets: Record<string, string[]> = {
  acme: ['acme preset secret, for the tenant cases'],
  globex: ['globex preset secret, for the tenant cases'],
}
const acmeSecret = presetSecrets.acme?.[0] as string
const globexSecret = presetSecrets.globex?.[0] as string
/** The public base URL Twilio calls; the targets serve /hooks/:status behind it. */
const publicUrl = 'https://hooks.example'

/** Many tenants on one endpoint: each tenant's keys looked up (and cached) per request, before the body is verified. */
export const tenantCases: readonly ConformanceCase[] = [
  {
    name: "tenants: a tenant's own key is accepted, another tenant's refused, an unknown tenant 401 after one lookup",
    async run(start) {
      const { lookups, resolve } = tenantTable()
      const server = await start({ ...byPath, verify: [standardWebhooks({ secret: resolve })] })
      expectVerdict(await deliver(server, { id: 'msg_t1' }, { path: '/acme', signer: acme }), 202, 'accepted')
      expect(server.enqueued[0]?.tenant).toBe('acme')
      expectVerdict(
        await deliver(server, { id: 'msg_t2' }, { path: '/acme', signer: globex }),
        401,
        'invalid_signature',
      )
      expectVerdict(await deliver(server, { id: 'msg_t3' }, { path: '/globex', signer: globex }), 202, 'accepted')
      for (let i = 0; i < 3; i++) {
        const reply = await deliver(server, { id: `msg_u${i}` }, { path: '/initech', signer: acme })
        expectVerdict(reply, 401, 'invalid_signature')
      }
      // Cached: one lookup per tenant, the unknown one too (for its short negative TTL).
      expect(lookups).toEqual(['acme', 'globex', 'initech'])
      expect(server.enqueued.map((e) => [e.tenant, e.id])).toEqual([
        ['acme', 'msg_t1'],
        ['globex', 'msg_t3'],
      ])
    },
  },
  {
    name: 'tenants: a tenant name that is not an identifier is 400 invalid_tenant, with no lookup; a header names one too',
    async run(start) {
      const { lookups, resolve } = tenantTable()
      const server = await start({ ...byPath, verify: [standardWebhooks({ secret: resolve })] })
      const reply = await deliver(server, { id: 'msg_bad' }, { path: '/acme%24x', signer: acme })
      expectRejected(server, reply, 400, 'invalid_tenant')
      expect(lookups).toEqual([])
      const byHeader = await start({ tenant: { header: 'x-tenant' }, verify: [standardWebhooks({ secret: resolve })] })
      expectRejected(byHeader, await deliver(byHeader, { id: 'msg_h0' }, { signer: acme }), 400, 'invalid_tenant')
      const named = await deliver(byHeader, { id: 'msg_h1' }, { signer: acme, headers: { 'x-tenant': 'acme' } })
      expectVerdict(named, 202, 'accepted')
      expect(byHeader.enqueued.map((e) => e.tenant)).toEqual(['acme'])
      expect(lookups).toEqual(['acme'])
    },
  },
  {
    name: 'tenants: a resolver that throws, rejects or hangs past its timeout is 503 keys_unavailable with Retry-After',
    async run(start) {
      const resolvers = [
        () => {
          throw new Error('database down')
        },
        () => Promise.reject(new Error('database down')),
        keyResolver(() => new Promise<never>(() => {}), { timeoutMs: 50 }),
      ]
      for (const secret of resolvers) {
        const server = await start({ ...byPath, verify: [standardWebhooks({ secret })] })
        const reply = await deliver(server, { id: 'msg_down' }, { path: '/acme', signer: acme })
        expectRejected(server, reply, 503, 'keys_unavailable')
      }
    },
  },
  {
    name: 'tenants: a rotation by notBefore/notAfter switches keys at the boundary, by the guard clock',
    async run(start) {
      const boundary = nowSeconds * 1000 + 500
      let clock = boundary
      const secret = () => [
        { key: acme.whsec, notAfter: boundary },
        { key: rotated.whsec, notBefore: boundary + 1 },
      ]
      const server = await start({ ...byPath, now: () => clock, verify: [standardWebhooks({ secret })] })
      const send = (id: string, signer: typeof acme) => deliver(server, { id }, { path: '/acme', signer })
      expectVerdict(await send('msg_r1', acme), 202, 'accepted')
      expectVerdict(await send('msg_r2', rotated), 401, 'invalid_signature')
      clock = boundary + 1
      expectVerdict(await send('msg_r3', acme), 401, 'invalid_signature')
      expectVerdict(await send('msg_r4', rotated), 202, 'accepted')
      expect(server.enqueued.map((e) => e.id)).toEqual(['msg_r1', 'msg_r4'])
    },
  },
  {
    name: "tenants: guard.invalidate(tenant) drops the tenant's cached keys; the next request looks them up again",
    async run(start) {
      const { table, lookups, resolve } = tenantTable()
      const server = await start({ ...byPath, verify: [standardWebhooks({ secret: resolve })] })
      expectVerdict(await deliver(server, { id: 'msg_i1' }, { path: '/acme', signer: acme }), 202, 'accepted')
      table.acme = [rotated.whsec]
      // Still the cached secret until the tenant is invalidated.
      expectVerdict(
        await deliver(server, { id: 'msg_i2' }, { path: '/acme', signer: rotated }),
        401,
        'invalid_signature',
      )
      server.guard.invalidate('globex')
      expectVerdict(
        await deliver(server, { id: 'msg_i3' }, { path: '/acme', signer: rotated }),
        401,
        'invalid_signature',
      )
      server.guard.invalidate('acme')
      expectVerdict(await deliver(server, { id: 'msg_i4' }, { path: '/acme', signer: rotated }), 202, 'accepted')
      expectVerdict(await deliver(server, { id: 'msg_i5' }, { path: '/acme', signer: acme }), 401, 'invalid_signature')
      expect(lookups).toEqual(['acme', 'acme'])
    },
  },
  {
    name: 'tenants: concurrent requests for a cold tenant make one lookup (single-flight)',
    async run(start) {
      const { lookups, resolve } = tenantTable()
      const slow = (context: KeyContext) =>
        new Promise<string[] | null | undefined>((r) => setTimeout(() => r(resolve(context)), 100))
      const server = await start({ ...byPath, verify: [standardWebhooks({ secret: slow })] })
      const replies = await Promise.all(
        Array.from({ length: 12 }, (_, i) => deliver(server, { id: `msg_c${i}` }, { path: '/acme', signer: acme })),
      )
      for (const reply of replies) expectVerdict(reply, 202, 'accepted')
      expect(lookups).toEqual(['acme'])
    },
  },
  {
    name: 'tenants: the same event id under two tenants is enqueued twice; again under one is a duplicate',
    async run(start) {
      const { resolve } = tenantTable()
      const server = await start({ ...byPath, verify: [standardWebhooks({ secret: resolve })] })
      expectVerdict(await deliver(server, { id: 'msg_same' }, { path: '/acme', signer: acme }), 202, 'accepted')
      expectVerdict(await deliver(server, { id: 'msg_same' }, { path: '/globex', signer: globex }), 202, 'accepted')
      expectVerdict(await deliver(server, { id: 'msg_same' }, { path: '/acme', signer: acme }), 200, 'duplicate')
      expect(server.enqueued.map((e) => [e.tenant, e.id])).toEqual([
        ['acme', 'msg_same'],
        ['globex', 'msg_same'],
      ])
    },
  },
  {
    name: "tenants: twilio signs each tenant's URL with its own token; one lookup per tenant across the URL forms it tries",
    async run(start) {
      const { lookups, resolve } = tenantTable(presetSecrets)
      const server = await start({ ...byPath, verify: [twilio({ authToken: resolve, publicUrl })] })
      const deliverAs = async (secret: string, tenant: string, id: string) => {
        const signed = await signRequest('twilio', {
          secret,
          body: { MessageSid: id, MessageStatus: 'delivered' },
          id,
          tenant,
          url: server.url,
          signedUrl: `${publicUrl}/hooks`,
        })
        return send(signed.url as string, { headers: signed.headers, body: signed.body })
      }
      expectVerdict(await deliverAs(acmeSecret, 'acme', 'idem-1'), 202, 'accepted')
      // Tried with and without the default port, each refused: still the one lookup for globex.
      expectVerdict(await deliverAs(acmeSecret, 'globex', 'idem-2'), 401, 'invalid_signature')
      expectVerdict(await deliverAs(globexSecret, 'globex', 'idem-3'), 202, 'accepted')
      for (let i = 0; i < 2; i++)
        expectVerdict(await deliverAs(acmeSecret, 'initech', `idem-u${i}`), 401, 'invalid_signature')
      expect(lookups).toEqual(['acme', 'globex', 'initech'])
      expect(server.enqueued.map((e) => [e.tenant, e.id])).toEqual([
        ['acme', 'idem-1'],
        ['globex', 'idem-3'],
      ])
    },
  },
  {
    name: "tenants: Zoom's URL validation and X's CRC are answered with the requesting tenant's secret; an unknown tenant gets no answer",
    async run(start) {
      const zoomTable = tenantTable(presetSecrets)
      const zoomServer = await start({ ...byPath, verify: [zoom({ secretToken: zoomTable.resolve })] })
      for (const [tenant, secret] of [
        ['acme', acmeSecret],
        ['globex', globexSecret],
      ] as const) {
        const shake = handshakeRequest('zoom-url-validation', {
          secret,
          url: `${zoomServer.url}/${tenant}`,
          timestamp: nowSeconds,
        })
        const reply = await send(shake.url, { headers: shake.headers, body: shake.body as string })
        expect({ status: reply.status, type: reply.headers['content-type'], body: reply.text }).toEqual({
          status: shake.expected.status,
          type: shake.expected.contentType,
          body: shake.expected.body,
        })
      }
      const forged = handshakeRequest('zoom-url-validation', {
        secret: acmeSecret,
        url: `${zoomServer.url}/globex`,
        timestamp: nowSeconds,
      })
      const refused = await send(forged.url, { headers: forged.headers, body: forged.body as string })
      expectRejected(zoomServer, refused, 401, 'invalid_signature')
      expect(refused.text).not.toContain('encryptedToken')
      expect(zoomTable.lookups).toEqual(['acme', 'globex'])

      const xTable = tenantTable(presetSecrets)
      const xServer = await start({ ...byPath, verify: [x({ consumerSecret: xTable.resolve })] })
      const crc = handshakeRequest('x-crc', { secret: globexSecret, url: `${xServer.url}/globex` })
      const answered = await send(crc.url, { method: 'GET', headers: crc.headers })
      expect({ status: answered.status, body: answered.text }).toEqual({ status: 200, body: crc.expected.body })
      const unknown = handshakeRequest('x-crc', { secret: acmeSecret, url: `${xServer.url}/initech` })
      const noAnswer = await send(unknown.url, { method: 'GET', headers: unknown.headers })
      expectRejected(xServer, noAnswer, 401, 'invalid_signature')
      expect(noAnswer.text).not.toContain('response_token')
      expect(xTable.lookups).toEqual(['globex', 'initech'])
    },
  },
]
