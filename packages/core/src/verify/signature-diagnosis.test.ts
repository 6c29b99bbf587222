import { createHmac } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { makeSecret, signV1 } from '../../test-support/sign.js'
import { createGuard } from '../guard.js'
import type { WebhookRequest } from '../types.js'
import { rateGate } from './signature-diagnosis.js'
import { standardWebhooks } from './standard-webhooks.js'

const now = 1_700_000_000
const secret = makeSecret()

/** The developer detail the guard logs for one delivery (a guard's first 4xx of a code: on its warn line). */
async function detailFor(request: Partial<WebhookRequest> & { headers: WebhookRequest['headers'] }) {
  const details: string[] = []
  const guard = createGuard({
    verify: [standardWebhooks({ secret: secret.whsec })],
    enqueue: () => {},
    now: () => now * 1000,
    logger: {
      info() {},
      warn: (record) => details.push(String((record as { detail?: string }).detail)),
      error() {},
      debug() {},
    },
  })
  const verdict = await guard.process({ method: 'POST', body: '{}', ...request })
  expect(verdict.status).toBeGreaterThanOrEqual(400)
  expect(verdict.body).not.toContain('proxy')
  return { code: verdict.code, detail: details.join('\n') }
}

const headers = (id: string, timestamp: number, signature: string) => ({
  'webhook-id': id,
  'webhook-timestamp': String(timestamp),
  'webhook-signature': signature,
})

describe('why a signature failed, in the developer log', () => {
  test('a body re-serialized by a parser', async () => {
    const sent = JSON.stringify({ type: 'scan.completed', data: { id: 1 } }, null, 2)
    const received = JSON.stringify(JSON.parse(sent))
    const result = await detailFor({ headers: headers('m1', now, signV1(secret.key, 'm1', now, sent)), body: received })
    expect(result.code).toBe('invalid_signature')
    expect(result.detail).toMatch(/re-serialized/)
  })

  test('a secret used as text instead of its base64-decoded bytes', async () => {
    const body = '{"a":1}'
    const wrong = `v1,${createHmac('sha256', secret.whsec).update(`m2.${now}.${body}`).digest('base64')}`
    const result = await detailFor({ headers: headers('m2', now, wrong), body })
    expect(result.detail).toMatch(/secret's text as UTF-8/)
  })

  test('clock skew: the measured offset', async () => {
    const old = await detailFor({ headers: headers('m3', now - 400, signV1(secret.key, 'm3', now - 400, '{}')) })
    expect(old.code).toBe('timestamp_too_old')
    expect(old.detail).toMatch(/400 s old/)
    const skewed = await detailFor({
      headers: headers('m4', now - 120, signV1(makeSecret().key, 'm4', now - 120, '{}')),
    })
    expect(skewed.detail).toMatch(/clock offset 120 s/)
  })

  test("a signature made with another endpoint's secret", async () => {
    const other = makeSecret()
    const result = await detailFor({ headers: headers('m5', now, signV1(other.key, 'm5', now, '{}')) })
    expect(result.detail).toMatch(/another secret/)
  })

  test('a signature header stripped by a proxy', async () => {
    const stripped = await detailFor({ headers: { 'webhook-id': 'm6', 'webhook-timestamp': String(now) } })
    expect(stripped.code).toBe('missing_signature')
    expect(stripped.detail).toMatch(/proxy may strip it/)
    const none = await detailFor({ headers: {} })
    expect(none.detail).toMatch(/proxy may strip custom headers/)
  })

  test('a forged body nested too deep to re-serialize: still 401, still diagnosed', async () => {
    const deep = `${'['.repeat(32_000)}${']'.repeat(32_000)}`
    const result = await detailFor({
      headers: headers('m8', now, signV1(makeSecret().key, 'm8', now, '{}')),
      body: deep,
    })
    expect(result.code).toBe('invalid_signature')
    expect(result.detail).toMatch(/another secret/)
  })

  test('only unknown versions', async () => {
    const result = await detailFor({ headers: headers('m7', now, 'v2,abc v1a,def') })
    expect(result.detail).toMatch(/no v1 signature entries \(versions present: v2, v1a\)/)
  })

  test('diagnosis is rate-limited so forged floods cannot multiply our work', () => {
    let clock = 0
    const gate = rateGate(1000, () => clock)
    expect([gate(), gate()]).toEqual([true, false])
    clock = 1000
    expect(gate()).toBe(true)
  })
})
