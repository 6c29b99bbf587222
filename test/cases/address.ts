import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { providerIps } from '@hookguard/core'
import { expect } from 'vitest'
import { type ConformanceCase, deliver, expectRejected, expectVerdict } from './support.js'

/** A local stand-in for GitHub's meta API: serves `{ hooks: list.rules }` (or `list.status`), with an ETag. */
async function metaServer(list: { rules: string[]; status?: number }) {
  const server = createServer((request, response) => {
    const etag = `"${list.rules.join(',')}"`
    if (list.status) return void response.writeHead(list.status).end()
    if (request.headers['if-none-match'] === etag) return void response.writeHead(304).end()
    response.writeHead(200, { 'content-type': 'application/json', etag }).end(JSON.stringify({ hooks: list.rules }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/meta`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** Step 2: the client IP is in the allowlist. */
export const addressCases: readonly ConformanceCase[] = [
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
    name: "allowIps with providerIps(): refused until the sender's list gains the client, admitted after the refresh, kept through a failed one",
    async run(start) {
      const list: { rules: string[]; status?: number } = { rules: ['203.0.113.0/24'] }
      const meta = await metaServer(list)
      const errors: string[] = []
      const githubIps = providerIps('github', { refresh: { url: meta.url, onError: (e) => errors.push(e.message) } })
      try {
        // The bundled snapshot (GitHub's ranges) and the first fetch both leave 127.0.0.1 out.
        const server = await start({ allowIps: [githubIps, '198.51.100.0/24'] })
        expect(await githubIps.refresh()).toBe('updated')
        expectRejected(server, await deliver(server, { id: 'msg_provider_out' }), 403, 'ip_not_allowed')
        list.rules = ['203.0.113.0/24', '127.0.0.0/8']
        expect(await githubIps.refresh()).toBe('updated')
        expectVerdict(await deliver(server, { id: 'msg_provider_in' }), 202, 'accepted')
        expect(await githubIps.refresh()).toBe('unchanged')
        list.status = 503
        expect(await githubIps.refresh()).toBe('failed')
        expectVerdict(await deliver(server, { id: 'msg_provider_kept' }), 202, 'accepted')
        expect(errors).toEqual([expect.stringMatching(/HTTP 503/)])
      } finally {
        githubIps.close()
        await meta.close()
      }
    },
  },
]
