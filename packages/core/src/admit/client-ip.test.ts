import { describe, expect, test } from 'vitest'
import { createGuard } from '../guard.js'
import { bearerToken } from '../verify/bearer-token.js'
import { resolveClientIp } from './client-ip.js'
import { compileIpRules } from './ip.js'

const proxies = compileIpRules(['10.0.0.0/8'], 'trustProxy')
const resolve = (remote: string | undefined, xff?: string | string[], trust = proxies) =>
  resolveClientIp(remote, xff === undefined ? {} : { 'x-forwarded-for': xff }, trust, 'x-forwarded-for')?.toString() ??
  null

describe('resolveClientIp', () => {
  test('without trusted proxies the socket address is the client, whatever X-Forwarded-For says', () => {
    expect(resolve('198.51.100.1', '203.0.113.5', undefined)).toBe('198.51.100.1')
  })

  test('an untrusted socket is not allowed to speak for others', () => {
    expect(resolve('198.51.100.1', '203.0.113.5')).toBe('198.51.100.1')
  })

  test('through a trusted proxy, the right-most untrusted hop is the client', () => {
    expect(resolve('10.0.0.2', '203.0.113.5')).toBe('203.0.113.5')
    expect(resolve('10.0.0.2', '1.1.1.1, 203.0.113.5, 10.0.0.9')).toBe('203.0.113.5')
    expect(resolve('10.0.0.2', ['1.1.1.1', '203.0.113.5, 10.0.0.9'])).toBe('203.0.113.5')
  })

  test('a trusted proxy with no forwarded header is itself the client', () => {
    expect(resolve('10.0.0.2')).toBe('10.0.0.2')
  })

  test('a garbage hop reported by a trusted proxy gives no address', () => {
    expect(resolve('10.0.0.2', '203.0.113.5, 0177.0.0.1')).toBeNull()
    expect(resolve('10.0.0.2', 'unknown')).toBeNull()
  })

  test('mapped socket addresses are normalized', () => {
    expect(resolve('::ffff:10.0.0.2', '203.0.113.5')).toBe('203.0.113.5')
    expect(resolve('::ffff:198.51.100.1', undefined, undefined)).toBe('198.51.100.1')
  })

  test('an absent or invalid socket address gives no address', () => {
    expect(resolve(undefined)).toBeNull()
    expect(resolve('not-an-ip')).toBeNull()
  })
})

/** A request's own record (`webhook <code>`, or its detail), not a one-time notice. */
const isOutcome = (entry: { message?: string }) => entry.message?.startsWith('webhook ') === true

describe('allowIps when no client address is passed', () => {
  function loggedGuard(trustProxy?: string[]) {
    const logged: { level: string; record: Record<string, unknown>; message?: string }[] = []
    const at = (level: string) => (record: object, message?: string) =>
      logged.push({ level, record: record as Record<string, unknown>, message })
    const guard = createGuard({
      verify: [bearerToken({ tokens: 'tok' })],
      enqueue: () => {},
      dedupe: false,
      allowIps: ['203.0.113.0/24'],
      trustProxy,
      logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
    })
    return { guard, logged }
  }
  const post = () => new Request('http://localhost/hooks', { method: 'POST', headers: { authorization: 'Bearer tok' } })

  test('every such request is refused (403) with a detail that says how to pass the address', async () => {
    const { guard, logged } = loggedGuard()
    expect((await guard.handle(post())).status).toBe(403)
    const details = logged.filter((e) => e.record.code === 'ip_not_allowed' && e.record.detail !== undefined)
    expect(details.length).toBeGreaterThan(0)
    for (const { record } of details) {
      for (const hint of ['remoteAddress', 'info.remoteAddr.hostname', 'server.requestIP', 'cf-connecting-ip']) {
        expect(String(record.detail)).toContain(hint)
      }
    }
  })

  test('the fix is also told once through logger.warn, with the detail, however many requests come', async () => {
    const { guard, logged } = loggedGuard()
    for (let i = 0; i < 3; i++) await guard.handle(post())
    // Beside the request records (the first 403's warn line carries its cause too): the fix, once.
    const told = logged.filter((e) => e.level === 'warn' && e.record.detail !== undefined && !isOutcome(e))
    expect(told).toHaveLength(1)
    expect(String(told[0]?.record.detail)).toContain('@hono/node-server')
    const outcomesWithDetail = logged.filter((e) => e.level === 'warn' && e.record.detail !== undefined && isOutcome(e))
    expect(outcomesWithDetail).toHaveLength(1)
  })

  test('an address that is not an IP is named as such; a refused address as refused; neither warns', async () => {
    const { guard, logged } = loggedGuard()
    await guard.handle(post(), { remoteAddress: 'localhost' })
    await guard.handle(post(), { remoteAddress: '198.51.100.1' })
    const details = logged.filter((e) => isOutcome(e) && e.record.detail !== undefined).map((e) => e.record.detail)
    expect(details).toEqual([
      'client address "localhost" is not an IP address',
      'source 198.51.100.1 is not in allowIps',
    ])
    expect(logged.filter((e) => e.level === 'warn' && e.record.detail !== undefined && !isOutcome(e))).toEqual([])
  })

  test('a trusted proxy that forwards garbage is named as the cause', async () => {
    const { guard, logged } = loggedGuard(['10.0.0.0/8'])
    const request = new Request('http://localhost/hooks', { method: 'POST', headers: { 'x-forwarded-for': 'nope' } })
    expect((await guard.handle(request, { remoteAddress: '10.0.0.2' })).status).toBe(403)
    expect(logged.find((e) => isOutcome(e) && e.record.detail !== undefined)?.record.detail).toBe(
      'the trusted proxy 10.0.0.2 forwarded a hop that is not an IP address',
    )
  })
})
