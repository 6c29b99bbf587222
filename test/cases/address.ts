import { expect } from 'vitest'
import { type ConformanceCase, deliver, expectRejected, expectVerdict } from './support.js'

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
]
