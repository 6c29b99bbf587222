import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { ipBytes, referenceMatches, referenceRule } from '../../../fuzz/reference.js'
import { makeSecret, signV1 } from '../test-support/sign.js'
import { compileIpRules, parseIp } from './admit/ip.js'
import { createGuard } from './guard.js'
import type { HeaderBag } from './lib/headers.js'
import { standardWebhooks } from './verify/standard-webhooks.js'

/** At least 10 000 runs per property, as the hardening issue asks. */
const numRuns = 10_000
const secret = makeSecret()
const now = 1_700_000_000

function guardWith(enqueue: (id: string | null) => void = () => {}) {
  return createGuard({
    verify: [standardWebhooks({ secret: secret.whsec })],
    enqueue: (event) => enqueue(event.id),
    dedupe: false,
    now: () => now * 1000,
  })
}

function flipBit(text: string, position: number): string {
  const index = position % text.length
  const bit = 1 << (Math.floor(position / text.length) % 7)
  return text.slice(0, index) + String.fromCharCode(text.charCodeAt(index) ^ bit) + text.slice(index + 1)
}

const idArb = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/)
const bodyArb = fc.uint8Array({ minLength: 1, maxLength: 256 })

describe('properties', () => {
  test('flipping any bit of body, id, timestamp or signature is a 401', async () => {
    const guard = guardWith()
    await fc.assert(
      fc.asyncProperty(
        idArb,
        bodyArb,
        fc.constantFrom('body', 'id', 'timestamp', 'signature'),
        fc.nat(),
        async (id, body, part, position) => {
          const timestamp = String(now)
          const headers = {
            'webhook-id': id,
            'webhook-timestamp': timestamp,
            'webhook-signature': signV1(secret.key, id, now, body),
          }
          let sentBody = body
          if (part === 'body') {
            sentBody = body.slice()
            const index = position % body.length
            sentBody[index] = (sentBody[index] as number) ^ (1 << (position % 8))
          } else if (part === 'signature') {
            headers['webhook-signature'] = `v1,${flipBit(headers['webhook-signature'].slice(3), position)}`
          } else {
            const name = part === 'id' ? 'webhook-id' : 'webhook-timestamp'
            headers[name] = flipBit(headers[name], position)
          }
          const verdict = await guard.process({ method: 'POST', headers, body: sentBody })
          expect(verdict.status).toBe(401)
        },
      ),
      { numRuns },
    )
  })

  test('a valid signature anywhere in a shuffled list of junk entries (within the cap) is accepted', async () => {
    const guard = guardWith()
    const junkEntry = fc.oneof(
      fc.stringMatching(/^v1,[A-Za-z0-9+/]{43}=$/),
      fc.stringMatching(/^v[0-9a-z]{1,3},[A-Za-z0-9+/=]{0,60}$/),
      fc.stringMatching(/^[!-~]{1,30}$/).filter((s) => !s.includes(' ')),
    )
    await fc.assert(
      fc.asyncProperty(idArb, bodyArb, fc.array(junkEntry, { maxLength: 15 }), fc.nat(), async (id, body, junk, at) => {
        const entries = [...junk]
        entries.splice(at % (junk.length + 1), 0, signV1(secret.key, id, now, body))
        const headers = { 'webhook-id': id, 'webhook-timestamp': String(now), 'webhook-signature': entries.join(' ') }
        const verdict = await guard.process({ method: 'POST', headers, body })
        expect(verdict.status).toBe(202)
      }),
      { numRuns },
    )
  })

  test('arbitrary headers and body bytes: never a 500, 3xx or 410, never a hang', async () => {
    const guard = createGuard({
      verify: [standardWebhooks({ secret: secret.whsec })],
      enqueue: () => {},
      allowIps: ['0.0.0.0/0', '::/0'],
      now: () => now * 1000,
    })
    const headerName = fc.oneof(
      fc.constantFrom(
        'webhook-id',
        'webhook-timestamp',
        'webhook-signature',
        'svix-id',
        'svix-timestamp',
        'svix-signature',
        'content-type',
        'content-length',
        'content-encoding',
        'authorization',
      ),
      fc.stringMatching(/^[a-z-]{1,20}$/),
    )
    const headerValue = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.array(fc.string({ maxLength: 50 }), { maxLength: 3 }),
    )
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(headerName, headerValue, { maxKeys: 8 }),
        fc.uint8Array({ maxLength: 512 }),
        fc.constantFrom('POST', 'GET', 'PUT', 'post', 'DELETE'),
        fc.option(fc.string({ maxLength: 60 }), { nil: undefined }),
        async (headers, body, method, remoteAddress) => {
          const verdict = await guard.process({ method, headers: headers as HeaderBag, body, remoteAddress })
          expect(verdict.status).not.toBe(500)
          expect(verdict.status >= 300 && verdict.status < 400).toBe(false)
          expect(verdict.status).not.toBe(410)
          expect(JSON.parse(verdict.body).code).toBe(verdict.code)
        },
      ),
      { numRuns },
    )
  })

  test('any interleaving of deliveries, duplicates and enqueue failures: every id enqueued exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { minLength: 1, maxLength: 12 }),
        fc.array(fc.boolean(), { maxLength: 40 }),
        fc.integer({ min: 1, max: 4 }),
        async (deliveries, failures, concurrency) => {
          const enqueued: string[] = []
          let call = 0
          const guard = createGuard({
            verify: [standardWebhooks({ secret: secret.whsec })],
            enqueue: (event) => {
              const fail = failures[call++] === true // the queue recovers once the failures run out
              if (fail) throw new Error('flaky queue')
              enqueued.push(event.id as string)
            },
            now: () => now * 1000,
          })
          const deliver = async (id: string) => {
            const body = `{"id":"${id}"}`
            const headers = {
              'webhook-id': id,
              'webhook-timestamp': String(now),
              'webhook-signature': signV1(secret.key, id, now, body),
            }
            for (let attempt = 0; attempt < 200; attempt++) {
              const verdict = await guard.process({ method: 'POST', headers, body })
              if (verdict.status < 300) return
              await Promise.resolve()
            }
            throw new Error(`${id} never acknowledged`)
          }
          const queue = [...deliveries]
          await Promise.all(
            Array.from({ length: concurrency }, async () => {
              for (let id = queue.shift(); id; id = queue.shift()) await deliver(id)
            }),
          )
          expect([...enqueued].sort()).toEqual([...new Set(deliveries)].sort())
        },
      ),
      { numRuns },
    )
  })

  test("an IPv4 address and its mapped and expanded IPv6 forms always get the reference matcher's decision", () => {
    const octets = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255))
    fc.assert(
      fc.property(octets, octets, fc.integer({ min: 0, max: 32 }), ([a, b, c, d], [w, x, y, z], prefix) => {
        const rule = `${w}.${x}.${y}.${z}/${prefix}`
        const rules = compileIpRules([rule], 'allowIps')
        // The expected decision comes from fuzz/reference.ts, written apart from ip.ts.
        const expected = referenceMatches(ipBytes(`${a}.${b}.${c}.${d}`)!, referenceRule(rule)!)
        const hex = (hi: number, lo: number) => ((hi << 8) | lo).toString(16)
        const forms = [
          `${a}.${b}.${c}.${d}`,
          `::ffff:${a}.${b}.${c}.${d}`,
          `::ffff:${hex(a, b)}:${hex(c, d)}`,
          `0:0:0:0:0:ffff:${hex(a, b)}:${hex(c, d)}`,
          `0000:0000:0000:0000:0000:FFFF:${hex(a, b).padStart(4, '0')}:${hex(c, d).padStart(4, '0')}`,
        ]
        const decisions = forms.map((form) => {
          const address = parseIp(form)
          expect(address, form).not.toBeNull()
          return rules.matches(address!)
        })
        expect(decisions).toEqual(forms.map(() => expected))
      }),
      { numRuns },
    )
  })

  test("many random CIDR rules of both families: every address gets the naive reference matcher's decision", () => {
    // A rule as 4 or 16 bytes and a prefix; its text as the guard is given it (mapped IPv6 forms of IPv4 rules too).
    const v4Rule = fc.record({
      bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }),
      prefix: fc.integer({ min: 0, max: 32 }),
      mapped: fc.boolean(),
    })
    // Few distinct leading bytes, so random ranges nest and overlap often; short prefixes cover the mapped space.
    const v6Rule = fc.record({
      bytes: fc.tuple(
        fc.array(fc.constantFrom(0, 0x20, 0x01, 0xff), { minLength: 4, maxLength: 4 }),
        fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 12, maxLength: 12 }),
      ),
      prefix: fc.integer({ min: 0, max: 128 }),
    })
    const rule = fc.oneof(
      v4Rule.map(({ bytes, prefix, mapped }) =>
        mapped ? `::ffff:${bytes.join('.')}/${prefix + 96}` : `${bytes.join('.')}/${prefix}`,
      ),
      v6Rule.map(({ bytes: [head, tail], prefix }) => `${v6Text([...head, ...tail])}/${prefix}`),
    )
    // Addresses: random, or a rule's network with random host bits, or with the bit just past the prefix flipped.
    const probe = fc.tuple(
      fc.nat(),
      fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 16, maxLength: 16 }),
      fc.boolean(),
    )
    fc.assert(
      fc.property(
        fc.array(rule, { minLength: 0, maxLength: 40 }),
        fc.array(probe, { minLength: 1, maxLength: 20 }),
        (rules, probes) => {
          const references = rules.map((r) => referenceRule(r)!)
          const matcher = compileIpRules(rules, 'allowIps')
          for (const [pick, noise, inside] of probes) {
            const bytes = probeBytes(references, pick, noise, inside)
            const text = bytes.length === 4 ? bytes.join('.') : v6Text(bytes)
            const address = ipBytes(text)!
            const expected = references.some((reference) => referenceMatches(address, reference))
            expect(matcher.matches(parseIp(text)!), `${text} against ${rules.join(' ')}`).toBe(expected)
          }
        },
      ),
      { numRuns: 2_000 },
    )
  })
})

/** Uncompressed IPv6 text of 16 bytes. */
function v6Text(bytes: readonly number[]): string {
  const words: string[] = []
  for (let i = 0; i < 16; i += 2) words.push((((bytes[i] as number) << 8) | (bytes[i + 1] as number)).toString(16))
  return words.join(':')
}

/** An address near the rules: random when there are none (or one in four), else inside or just outside one rule. */
function probeBytes(
  references: readonly { network: number[]; prefix: number }[],
  pick: number,
  noise: readonly number[],
  inside: boolean,
): number[] {
  const random = pick % 2 === 0 ? noise.slice(0, 4) : [...noise]
  if (references.length === 0 || pick % 4 === 0) return random
  const { network, prefix } = references[pick % references.length]!
  const bytes = network.map((byte, i) => {
    const kept = Math.max(0, Math.min(8, prefix - i * 8))
    const mask = (0xff << (8 - kept)) & 0xff
    return (byte & mask) | ((noise[i] as number) & ~mask & 0xff)
  })
  if (!inside && prefix > 0) {
    const bit = prefix - 1
    bytes[bit >> 3] = (bytes[bit >> 3] as number) ^ (0x80 >> (bit & 7))
  }
  return bytes
}
