import { bearerToken, createGuard, type GuardOptions, standardWebhooks } from '@hookguard/core'
import { describe, expect, test } from 'vitest'
import { parseIp } from '../packages/core/src/admit/ip.js'
import { signV1 } from '../packages/core/test-support/sign.js'
import { body, guardOptions, nowSeconds, secret } from './cases/support.js'
import { countingStore } from './hostile-support.js'

// What HTTP cannot carry (control characters, code points above U+00FF, spaces HTTP trims), straight to `guard.process`.

function signedRequest(id: string, timestamp: string = String(nowSeconds)) {
  const headers = {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': signV1(secret.key, id, timestamp, body),
  }
  return { method: 'POST', headers, body }
}

describe('event ids HTTP cannot carry', () => {
  const ids = [
    'msg\n1',
    'msg\r\n1',
    'msg\u00001',
    'msg\u007f',
    'msg\u001b[31m',
    'msg\u20281',
    'msg_\u{1f4a5}',
    '\u00e9'.repeat(129),
  ]
  for (const id of ids) {
    test(`${JSON.stringify(id).slice(0, 24)}: 400 invalid_event_id, no store call`, async () => {
      const store = countingStore()
      const enqueued: unknown[] = []
      const guard = createGuard(guardOptions({ dedupe: store, enqueue: (event) => void enqueued.push(event) }))
      const verdict = await guard.process(signedRequest(id))
      expect({ status: verdict.status, code: verdict.code }).toEqual({ status: 400, code: 'invalid_event_id' })
      expect(store.claims).toEqual([])
      expect(enqueued).toEqual([])
    })
  }
})

describe('timestamps HTTP cannot carry or would trim', () => {
  const timestamps = [
    ` ${nowSeconds}`,
    `${nowSeconds} `,
    `\t${nowSeconds}`,
    `${nowSeconds}\n`,
    '\u0661\u0667\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660',
    '\uff11\uff17\uff10\uff10\uff10\uff10\uff10\uff10\uff10\uff10',
    '1_700_000_000',
    '1700000000\u0000',
  ]
  for (const timestamp of timestamps) {
    test(`${JSON.stringify(timestamp)}: 401 invalid_timestamp`, async () => {
      const guard = createGuard(guardOptions())
      const verdict = await guard.process(signedRequest('msg_ts', timestamp))
      expect({ status: verdict.status, code: verdict.code }).toEqual({ status: 401, code: 'invalid_timestamp' })
    })
  }
})

test('a signature list joined by Web Headers (", ") is read as one list, the valid entry anywhere', async () => {
  const guard = createGuard(guardOptions({ dedupe: false }))
  const valid = signV1(secret.key, 'msg_joined', nowSeconds, body)
  const junk = `v1,${Buffer.alloc(32, 7).toString('base64')}`
  for (const joined of [`${valid}, ${junk}`, `${junk}, ${valid}`, `${junk}, ${valid}, ${junk}`]) {
    const request = signedRequest('msg_joined')
    const verdict = await guard.process({ ...request, headers: { ...request.headers, 'webhook-signature': joined } })
    expect(verdict.status).toBe(202)
  }
  const request = signedRequest('msg_joined')
  const forged = `${junk}, ${valid.replace('v1,', 'v1, ')}`
  const verdict = await guard.process({ ...request, headers: { ...request.headers, 'webhook-signature': forged } })
  expect(verdict.code).toBe('invalid_signature')
})

test('a repeated Authorization header is 400 duplicate_header, whatever it holds', async () => {
  const guard = createGuard(guardOptions({ verify: [bearerToken({ tokens: 'tok' })], eventId: { header: 'x-id' } }))
  const headers = { 'x-id': 'd1', authorization: ['Bearer tok', 'Bearer tok'] }
  const verdict = await guard.process({ method: 'POST', headers, body: 'x' })
  expect({ status: verdict.status, code: verdict.code }).toEqual({ status: 400, code: 'duplicate_header' })
})

describe('invalid allowIps and trustProxy rules fail at start-up', () => {
  const invalidRules: unknown[] = [
    '10.0.0.0/33',
    '::/129',
    '10.0.0.0/',
    '/8',
    '10.0.0.0/8/8',
    '10.0.0.0/08',
    '10.0.0.0/-1',
    '10.0.0.0/ 8',
    '10.0.0.0/+8',
    '10.0.0.0/1e1',
    '10.0.0.0/0x8',
    '10.0.0.0/8 ',
    ' 10.0.0.0/8',
    '::ffff:10.0.0.0/95',
    '0177.0.0.1',
    '127.1',
    '2130706433',
    'fe80::1%eth0',
    'fe80::/10%eth0',
    '1234:::5678',
    '1.2.3.256/32',
    '',
    'localhost',
    42,
    null,
  ]
  for (const option of ['allowIps', 'trustProxy'] as const) {
    for (const rule of invalidRules) {
      test(`${option}: ${JSON.stringify(rule)} is a TypeError naming the option`, () => {
        const options = guardOptions({ [option]: [rule] } as Partial<GuardOptions>)
        expect(() => createGuard(options)).toThrow(TypeError)
        expect(() => createGuard(options)).toThrow(option)
      })
    }
    test(`${option}: a bare string instead of a list is a TypeError`, () => {
      const options = guardOptions({ [option]: '10.0.0.0/8' } as unknown as Partial<GuardOptions>)
      expect(() => createGuard(options)).toThrow(TypeError)
    })
  }

  test('the edges of every family are accepted', () => {
    const rules = ['0.0.0.0/0', '10.0.0.0/32', '::/0', '::/128', '::ffff:10.0.0.0/96', '::ffff:10.0.0.0/128']
    expect(() => createGuard(guardOptions({ allowIps: rules, trustProxy: rules }))).not.toThrow()
  })
})

test('standardWebhooks refuses secrets that are not base64 at creation', () => {
  // Unpadded base64 is accepted, as the reference libraries do (`whsec_abc` is two bytes); a length no base64 can have is not.
  for (const bad of ['', 'whsec_', 'whsec_!!!!', 'whsec_abcde', 'whsec_ YWJj', 'whpk_AAAA']) {
    expect(() => standardWebhooks({ secret: bad })).toThrow(TypeError)
  }
})

test('an IPv4-compatible address (::a.b.c.d) parses as the IPv6 address it is, like its other forms', () => {
  for (const [text, expected] of [
    ['::1.2.3.4', '::102:304'],
    ['0:0:0:0:0:0:1.2.3.4', '::102:304'],
    ['::0.0.0.1', '::1'],
    ['::0.0.0.0', '::'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
  ] as const) {
    expect({ text, parsed: parseIp(text)?.toString() }).toEqual({ text, parsed: expected })
  }
})
