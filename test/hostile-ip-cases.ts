import { expect } from 'vitest'
import { deliver, expectVerdict } from './cases/support.js'
import type { StartedTarget } from './harness.js'
import type { HostileCase } from './hostile-support.js'
import type { Reply } from './http-client.js'

/** Loopback written in forms a lenient parser reads as 127.0.0.1: each must stay unparsed. */
const loopbackLookalikes = [
  '0177.0.0.1',
  '127.1',
  '0x7f.0.0.1',
  '2130706433',
  '127.0.0.01',
  '127.000.000.001',
  '0x7f000001',
]

/** Hops that are no strict address at all. */
const garbageHops = [
  '1.2.3.256',
  '1.2.3.4.5',
  'fe80::1%eth0',
  'fe80::1%25eth0',
  '1234:::5678',
  '2001:db8::1::1',
  '::ffff:1.2.3.256',
  '::ffff:0177.0.0.1',
  '[2001:db8::1]',
  '203.0.113.9:443',
  '"203.0.113.9"',
  'unknown',
  ' , ',
  '203.0.113.9 198.51.100.7',
  'a'.repeat(200),
]

let sequence = 0

/** Sends a signed delivery through the trusted proxy at 127.0.0.1 with this `X-Forwarded-For`. */
function through(server: StartedTarget, forwardedFor: string): Promise<Reply> {
  sequence += 1
  return deliver(server, { id: `msg_hop_${sequence}` }, { headers: { 'x-forwarded-for': forwardedFor } })
}

/** Sends each hop and collects the ones whose status differs from `status`. */
async function statusesOtherThan(server: StartedTarget, hops: readonly string[], status: number) {
  const wrong: [string, number][] = []
  for (const hop of hops) {
    const reply = await through(server, hop)
    if (reply.status !== status) wrong.push([hop, reply.status])
  }
  return wrong
}

export const ipCases: readonly HostileCase[] = [
  {
    name: 'a forwarded hop in octal, hex, short or integer form is not read as 127.0.0.1 (403)',
    async run(start) {
      const server = await start({ allowIps: ['127.0.0.0/8'], trustProxy: ['127.0.0.1'] })
      expect(await statusesOtherThan(server, loopbackLookalikes, 403)).toEqual([])
      expectVerdict(await through(server, '127.0.0.2'), 202, 'accepted')
      expect(server.enqueued.map((e) => e.sourceIp)).toEqual(['127.0.0.2'])
    },
  },
  {
    name: 'a garbage right-most hop is refused even when every address is allowed (403)',
    async run(start) {
      const server = await start({ allowIps: ['0.0.0.0/0', '::/0'], trustProxy: ['127.0.0.1'] })
      expect(await statusesOtherThan(server, garbageHops, 403)).toEqual([])
      expect(
        await statusesOtherThan(
          server,
          garbageHops.map((hop) => `203.0.113.9, ${hop}`),
          403,
        ),
      ).toEqual([])
      expect(server.enqueued).toEqual([])
      // Only hops right of the first untrusted one are read: garbage further left is never looked at.
      expectVerdict(await through(server, `${garbageHops.join(', ')}, 203.0.113.9`), 202, 'accepted')
      expect(server.enqueued.map((e) => e.sourceIp)).toEqual(['203.0.113.9'])
    },
  },
  {
    name: 'mapped and expanded IPv6 forms of one client get one decision and one sourceIp',
    async run(start) {
      const allowed = await start({ allowIps: ['203.0.113.0/24', '2001:db8::/32'], trustProxy: ['127.0.0.1'] })
      const v4Forms = [
        '203.0.113.9',
        '::ffff:203.0.113.9',
        '::FFFF:cb00:7109',
        '0:0:0:0:0:ffff:cb00:7109',
        '0000:0000:0000:0000:0000:ffff:203.0.113.9',
        '203.0.113.9, ::ffff:127.0.0.1',
      ]
      const v6Forms = ['2001:db8::1', '2001:DB8::1', '2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8:0:0::0:1']
      expect(await statusesOtherThan(allowed, [...v4Forms, ...v6Forms], 202)).toEqual([])
      const sources = new Set(allowed.enqueued.map((e) => e.sourceIp))
      expect(sources).toEqual(new Set(['203.0.113.9', '2001:db8::1']))

      const denied = await start({ allowIps: ['198.51.100.0/24', '2001:db9::/32'], trustProxy: ['::ffff:127.0.0.1'] })
      expect(await statusesOtherThan(denied, [...v4Forms, ...v6Forms], 403)).toEqual([])
      expect(denied.enqueued).toEqual([])
    },
  },
  {
    name: 'IPv4-compatible forms (::a.b.c.d) are one IPv6 address, never taken for the IPv4 one',
    async run(start) {
      const forms = ['::203.0.113.9', '::cb00:7109', '0:0:0:0:0:0:203.0.113.9', '0::203.0.113.9']
      const v4Rule = await start({ allowIps: ['203.0.113.0/24'], trustProxy: ['127.0.0.1'] })
      expect(await statusesOtherThan(v4Rule, forms, 403)).toEqual([])
      const v6Rule = await start({ allowIps: ['::cb00:7100/120'], trustProxy: ['127.0.0.1'] })
      expect(await statusesOtherThan(v6Rule, forms, 202)).toEqual([])
      expect(new Set(v6Rule.enqueued.map((e) => e.sourceIp))).toEqual(new Set(['::cb00:7109']))
    },
  },
]
