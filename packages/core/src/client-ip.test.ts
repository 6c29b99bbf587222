import { describe, expect, test } from 'vitest'
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
