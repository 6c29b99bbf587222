import { randomBytes } from 'node:crypto'
import { bearerToken } from '@hookguard/core'
import { expect } from 'vitest'
import { dedupeKey } from '../packages/core/src/dedupe/dedupe-key.js'
import { signV1 } from '../packages/core/test-support/sign.js'
import {
  body,
  deliver,
  expectRejected,
  expectRepeatedRefused,
  expectVerdict,
  headersFor,
  nowSeconds,
  secret,
} from './cases/support.js'
import { countingStore, type HostileCase } from './hostile-support.js'
import { send } from './http-client.js'

/** A well-formed `v1` entry that matches nothing. */
const junkEntry = () => `v1,${randomBytes(32).toString('base64')}`
const validEntry = (id: string) => signV1(secret.key, id, nowSeconds, body)
const validDigest = (id: string) => validEntry(id).slice(3)

/** Signature headers that must never pass, each with the code it gets. */
const forgedSignatures: readonly [string, (id: string) => string, string][] = [
  ['empty', () => '', 'missing_signature'],
  ['only "v1,"', () => 'v1,', 'invalid_signature'],
  ['"v1" without a comma', (id) => `v1${validDigest(id)}`, 'invalid_signature'],
  ['wrong case "V1,"', (id) => `V1,${validDigest(id)}`, 'invalid_signature'],
  ['a space after the comma', (id) => `v1, ${validDigest(id)}`, 'invalid_signature'],
  [
    'a space inside the base64',
    (id) => `v1,${validDigest(id).slice(0, 20)} ${validDigest(id).slice(20)}`,
    'invalid_signature',
  ],
  ['non-base64 of the right length', () => `v1,${'!'.repeat(44)}`, 'invalid_signature'],
  [
    'non-ASCII bytes of the right length',
    (id) => `v1,${validDigest(id).slice(0, 40)}\u00e9\u00ff\u00a0=`,
    'invalid_signature',
  ],
  ['the right digest, another scheme', (id) => `v1a,${validDigest(id)} v2,${validDigest(id)}`, 'invalid_signature'],
  [
    '250 junk entries, the valid one past the cap',
    (id) => [...Array.from({ length: 250 }, junkEntry), validEntry(id)].join(' '),
    'invalid_signature',
  ],
  [
    '16 malformed entries, then the valid one (17th)',
    (id) => [...Array.from({ length: 16 }, (_, i) => `v1,${'A'.repeat(i)}!`), validEntry(id)].join(' '),
    'invalid_signature',
  ],
]

const signatureAbuse: HostileCase[] = [
  {
    name: 'refuses every malformed or out-of-cap signature header (401), enqueuing nothing',
    async run(start) {
      const server = await start()
      for (const [label, signature, code] of forgedSignatures) {
        const id = `msg_sig_${label.replace(/[^a-z0-9]+/gi, '_')}`
        const reply = await deliver(server, { id }, { headers: { 'webhook-signature': signature(id) } })
        expect({ label, status: reply.status, code: reply.json?.code }).toEqual({ label, status: 401, code })
      }
      expect(server.enqueued).toEqual([])
    },
  },
  {
    name: 'accepts the valid entry among malformed ones within the 16-entry cap, and first among hundreds',
    async run(start) {
      const server = await start()
      const malformed = ['v1', 'V1,abc', 'v1,', 'v1,!!!', 'v1,\u00e9\u00e9', ',,,', '====', 'v1,,', 'v2,abc', 'v1a,x']
      const fifteen = Array.from({ length: 15 }, (_, i) => malformed[i % malformed.length] as string)
      const late = await deliver(
        server,
        { id: 'msg_16th' },
        {
          headers: { 'webhook-signature': [...fifteen, validEntry('msg_16th')].join(' ') },
        },
      )
      expectVerdict(late, 202, 'accepted')
      const many = [validEntry('msg_first'), ...Array.from({ length: 250 }, junkEntry)].join(' ')
      expect(many.length).toBeGreaterThan(10_000)
      expectVerdict(
        await deliver(server, { id: 'msg_first' }, { headers: { 'webhook-signature': many } }),
        202,
        'accepted',
      )
      expect(server.enqueued.map((e) => e.id)).toEqual(['msg_16th', 'msg_first'])
    },
  },
  {
    name: 'reads repeated webhook-signature headers as one list, the valid entry first or last',
    async run(start) {
      const server = await start()
      for (const [id, order] of [
        ['msg_rep_last', (valid: string) => [junkEntry(), valid]],
        ['msg_rep_first', (valid: string) => [valid, junkEntry()]],
        ['msg_rep_middle', (valid: string) => [`${junkEntry()} ${junkEntry()}`, valid, 'v1,x']],
      ] as const) {
        const reply = await deliver(server, { id }, { headers: { 'webhook-signature': order(validEntry(id)) } })
        expectVerdict(reply, 202, 'accepted')
      }
      const forged = await deliver(
        server,
        { id: 'msg_rep_forged' },
        {
          headers: { 'webhook-signature': [junkEntry(), junkEntry()] },
        },
      )
      expectVerdict(forged, 401, 'invalid_signature')
      expect(server.enqueued.map((e) => e.id)).toEqual(['msg_rep_last', 'msg_rep_first', 'msg_rep_middle'])
    },
  },
  {
    name: 'refuses a repeated webhook-timestamp header',
    async run(start, target) {
      const server = await start()
      const headers = headersFor({ id: 'msg_rep_ts' })
      const reply = await send(server.url, {
        headers: { ...headers, 'webhook-timestamp': [String(nowSeconds), String(nowSeconds)] },
        body,
      })
      expectRepeatedRefused(server, reply, target, 'invalid_timestamp')
    },
  },
  {
    name: 'refuses a repeated webhook-id header, even with equal values',
    async run(start, target) {
      const server = await start()
      const headers = headersFor({ id: 'msg_rep_id' })
      const reply = await send(server.url, {
        headers: { ...headers, 'webhook-id': ['msg_rep_id', 'msg_rep_id'] },
        body,
      })
      expectRepeatedRefused(server, reply, target, 'invalid_signature')
    },
  },
  {
    name: 'refuses repeated Authorization, webhook-id and webhook-timestamp headers when a middleware added a header of its own',
    async run(start, target) {
      // A request-id middleware adds a name to req.headers: the one a repeat took away on Node, in count.
      const bearer = await start(
        { verify: [bearerToken({ tokens: 'tok_right' })], eventId: { header: 'x-delivery' } },
        { requestId: true },
      )
      const authorization = ['Bearer tok_right', 'Bearer tok_right']
      const reply = await send(bearer.url, { headers: { 'x-delivery': 'd_rep_rid', authorization }, body: 'ping' })
      expectRepeatedRefused(bearer, reply, target, 'missing_credentials')

      const signed = await start(undefined, { requestId: true })
      const headers = headersFor({ id: 'msg_rep_rid' })
      const repeats = [
        ['webhook-id', ['msg_rep_rid', 'msg_rep_rid'], 'invalid_signature'],
        ['webhook-timestamp', [String(nowSeconds), String(nowSeconds)], 'invalid_timestamp'],
      ] as const
      for (const [name, values, webCode] of repeats) {
        const repeated = await send(signed.url, { headers: { ...headers, [name]: [...values] }, body })
        expectRepeatedRefused(signed, repeated, target, webCode)
      }
      // Repeated signature headers still read as one list.
      const signatures = [validEntry('msg_rep_rid'), junkEntry()]
      const listed = await send(signed.url, { headers: { ...headers, 'webhook-signature': signatures }, body })
      expectVerdict(listed, 202, 'accepted')
    },
  },
  {
    name: 'refuses a repeated Authorization header, even when both carry the right token',
    async run(start, target) {
      const server = await start({ verify: [bearerToken({ tokens: 'tok_right' })], eventId: { header: 'x-delivery' } })
      const authorization = ['Bearer tok_right', 'Bearer tok_right']
      const reply = await send(server.url, { headers: { 'x-delivery': 'd_rep', authorization }, body: 'ping' })
      expectRepeatedRefused(server, reply, target, 'missing_credentials')
    },
  },
]

/** Timestamps that never pass, signed exactly as sent, with the code each gets. */
const badTimestamps: readonly [string, string][] = [
  ['1700000000abc', 'invalid_timestamp'],
  ['+1700000000', 'invalid_timestamp'],
  ['1700 000000', 'invalid_timestamp'],
  ['1700000000,1700000000', 'invalid_timestamp'],
  ['1.6e9', 'invalid_timestamp'],
  ['0x6553F100', 'invalid_timestamp'],
  ['-0', 'invalid_timestamp'],
  ['9'.repeat(300), 'invalid_timestamp'],
  [String(nowSeconds * 1000), 'timestamp_too_new'],
  ['99999999999999', 'timestamp_too_new'],
  ['0', 'timestamp_too_old'],
]

const timestampAbuse: HostileCase[] = [
  {
    name: 'refuses signed but malformed, millisecond and far-future timestamps (401)',
    async run(start) {
      const server = await start()
      for (const [timestamp, code] of badTimestamps) {
        const reply = await deliver(server, { id: 'msg_ts', timestamp })
        expect({ timestamp, status: reply.status, code: reply.json?.code }).toEqual({ timestamp, status: 401, code })
      }
      expect(server.enqueued).toEqual([])
    },
  },
  {
    name: 'a timestamp with leading spaces is never taken for another than the signed one',
    async run(start) {
      const server = await start()
      // HTTP strips the spaces before any code sees them, so the signature over " 1700000000" fails.
      const reply = await deliver(server, { id: 'msg_ts_space', timestamp: `  ${nowSeconds}` })
      expectRejected(server, reply, 401, 'invalid_signature')
    },
  },
]

/** Event ids that are signed correctly and must still be refused before the store is asked. */
const badIds: readonly [string, string][] = [
  ['empty', ''],
  ['257 characters', 'a'.repeat(257)],
  ['a space', 'msg 1'],
  ['a tab', 'msg\t1'],
  ['a Latin-1 letter', 'msg_\u00e9'],
  ['a DEL-adjacent high byte', 'msg_\u00ff'],
]

const eventIdAbuse: HostileCase[] = [
  {
    name: 'refuses signed event ids that are empty, too long or not printable ASCII (400), without a store call',
    async run(start) {
      const store = countingStore()
      const server = await start({ dedupe: store })
      for (const [label, id] of badIds) {
        const reply = await deliver(server, { id })
        expect({ label, status: reply.status, code: reply.json?.code }).toEqual({
          label,
          status: 400,
          code: 'invalid_event_id',
        })
      }
      expect(store.claims).toEqual([])
      expect(server.enqueued).toEqual([])
      const longest = 'b'.repeat(256)
      expectVerdict(await deliver(server, { id: longest }), 202, 'accepted')
      expect(store.claims).toEqual([dedupeKey('hookguard', '', longest)])
    },
  },
]

export const headerCases: readonly HostileCase[] = [...signatureAbuse, ...timestampAbuse, ...eventIdAbuse]
