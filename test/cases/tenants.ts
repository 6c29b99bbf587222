import { type KeyContext, keyResolver, standardWebhooks } from '@hookguard/core'
import { expect } from 'vitest'
import { testSecret } from '../../packages/core/test-support/sign.js'
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
]
