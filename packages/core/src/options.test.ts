import { describe, expect, test } from 'vitest'
import { makeSecret, signedHeaders } from '../test-support/sign.js'
import { createGuard } from './guard.js'
import type { GuardOptions } from './options.js'
import type { Logger, WebhookEvent } from './types.js'
import { bearerToken } from './verify/bearer-token.js'
import { standardWebhooks } from './verify/standard-webhooks.js'
import type { Verifier } from './verify/verifier.js'

const secret = makeSecret()

function options(overrides: Partial<GuardOptions> = {}): GuardOptions {
  return { verify: [standardWebhooks({ secret: secret.whsec })], enqueue: () => {}, ...overrides }
}

function expectRefused(overrides: Partial<GuardOptions>, option: string): void {
  let thrown: unknown
  try {
    createGuard(options(overrides))
  } catch (error) {
    thrown = error
  }
  expect(thrown).toBeInstanceOf(TypeError)
  const message = (thrown as Error).message
  expect(message.startsWith(`createGuard: ${option} must be`), message).toBe(true)
}

function recordingLogger() {
  const warnings: { record: Record<string, unknown>; message: string | undefined }[] = []
  const logger: Logger = {
    info() {},
    error() {},
    warn: (record, message) => void warnings.push({ record: record as Record<string, unknown>, message }),
  }
  return { logger, warnings }
}

describe('createGuard: bad options fail at creation', () => {
  const notNumbers = [Number.NaN, Infinity, -Infinity, -1, 0, '300']
  const numeric: [string, unknown[]][] = [
    ['maxBodyBytes', notNumbers],
    ['bodyTimeoutMs', [...notNumbers, 3e9]],
    // A timer longer than 2^31-1 ms fires at once: every enqueue would time out.
    ['enqueueTimeoutMs', [...notNumbers, 3e9]],
    ['toleranceSeconds', notNumbers],
    ['dedupeTtlMs', notNumbers],
    ['leaseMs', notNumbers],
    // Retry-After is a whole number of seconds.
    ['retryAfterSeconds', [...notNumbers, 2.5]],
  ]
  const cases: [string, Partial<GuardOptions>][] = numeric.flatMap(([option, values]) =>
    values.map((value): [string, Partial<GuardOptions>] => [option, { [option]: value } as Partial<GuardOptions>]),
  )
  cases.push(
    ['keepHeaders[0]', { keepHeaders: ['__proto__'] }],
    ['keepHeaders[0]', { keepHeaders: ['constructor'] }],
    ['keepHeaders[0]', { keepHeaders: ['authorization'] }],
    ['keepHeaders[1]', { keepHeaders: ['x-request-id', 'Cookie'] }],
    ['keepHeaders[0]', { keepHeaders: ['proxy-authorization'] }],
    // The verifier's own signature header.
    ['keepHeaders[0]', { keepHeaders: ['webhook-signature'] }],
    ['keepHeaders[0]', { keepHeaders: ['x-bad name'] }],
    ['keepHeaders', { keepHeaders: 'x-request-id' as unknown as string[] }],
    ['verify[0]', { verify: [{} as Verifier] }],
    ['namespace', { namespace: '' }],
    ['forwardedHeader', { forwardedHeader: 'x forwarded' }],
    ['forwardedHeader', { forwardedHeader: '__proto__' }],
    ['decompress', { decompress: 'yes' as unknown as boolean }],
    ['parseJson', { parseJson: 'sometimes' as 'lazy' }],
    ['storeFailure', { storeFailure: 'maybe' as 'open' }],
    ['methods', { methods: [] }],
    ['methods[1]', { methods: ['POST', 'PO ST'] }],
    ['logger', { logger: {} as Logger }],
    ['now', { now: 5 as unknown as () => number }],
    ['dedupe', { dedupe: {} as never }],
    ['onAccepted', { onAccepted: 'log' as never }],
    ['enqueue', { enqueue: undefined as never }],
  )
  test.each(cases)('%s: %o', (option, overrides) => {
    expectRefused(overrides, option)
  })

  test("a bearer token's header is a credential: keeping it is refused, whatever it is called", () => {
    const verify = [bearerToken({ tokens: 'good-token', header: 'x-webhook-secret' })]
    expectRefused({ verify, keepHeaders: ['X-Webhook-Secret'] }, 'keepHeaders[0]')
  })

  test("a custom verifier's keepHeaders may not keep a credential either", () => {
    const leaky: Verifier = { name: 'leaky', keepHeaders: ['authorization'], verify: () => ({}) }
    expectRefused({ verify: [leaky] }, 'verify[0].keepHeaders[0]')
  })

  test('the options argument itself must be an object', () => {
    expect(() => createGuard(undefined as never)).toThrow('createGuard needs an options object')
  })

  test('kept headers still work, in any case, onto a record with no prototype', async () => {
    const events: WebhookEvent[] = []
    const guard = createGuard(
      options({ keepHeaders: ['X-Request-Id'], enqueue: (event) => void events.push(event), dedupe: false }),
    )
    const body = '{}'
    const headers = { ...signedHeaders(secret.key, { body }), 'x-request-id': 'req-1' }
    const response = await guard.handle(new Request('http://hooks.test/', { method: 'POST', headers, body }))
    expect(response.status).toBe(202)
    expect(events[0]?.headers['x-request-id']).toBe('req-1')
    expect(Object.getPrototypeOf(events[0]?.headers)).toBe(null)
  })
})

describe('createGuard: a CIDR rule with host bits set', () => {
  test('is read as its network, and the guard warns once per rule through the logger', async () => {
    const { logger, warnings } = recordingLogger()
    const guard = createGuard(
      options({
        logger,
        allowIps: ['203.0.113.7/24', '198.51.100.0/24', '2001:db8::1/32'],
        trustProxy: ['10.1.2.3/8'],
      }),
    )
    expect(warnings.map((w) => w.record)).toEqual([
      { option: 'allowIps', rule: '203.0.113.7/24', network: '203.0.113.0/24' },
      { option: 'allowIps', rule: '2001:db8::1/32', network: '2001:db8::/32' },
      { option: 'trustProxy', rule: '10.1.2.3/8', network: '10.0.0.0/8' },
    ])
    expect(warnings[0]?.message).toContain('203.0.113.7/24')
    expect(warnings[0]?.message).toContain('203.0.113.0/24')

    // Still accepted as the network: a neighbour of the typed host passes, an outsider does not; no rule is warned of again.
    const body = '{}'
    const send = (remoteAddress: string) =>
      guard.process({ method: 'POST', headers: signedHeaders(secret.key, { body }), body, remoteAddress })
    expect((await send('203.0.113.200')).status).toBe(202)
    expect((await send('203.0.114.1')).code).toBe('ip_not_allowed')
    expect(warnings.filter((w) => 'rule' in w.record)).toHaveLength(3)
  })

  test('aligned rules and single addresses give no warning', () => {
    const { logger, warnings } = recordingLogger()
    createGuard(
      options({ logger, allowIps: ['203.0.113.0/24', '203.0.113.7', '::ffff:10.0.0.0/104', '2001:db8::/32'] }),
    )
    expect(warnings).toEqual([])
  })

  test('with no logger the rule is still accepted', () => {
    expect(() => createGuard(options({ allowIps: ['1.2.3.4/24'] }))).not.toThrow()
  })
})
