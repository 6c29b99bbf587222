import { isIP } from 'node:net'
import { describe, expect, test } from 'vitest'
import { compileIpRules, parseIp } from './ip.js'

describe('parseIp', () => {
  test.each([
    ['127.0.0.1', '127.0.0.1'],
    ['::1', '::1'],
    ['2001:db8::1', '2001:db8::1'],
    ['::ffff:203.0.113.9', '203.0.113.9'],
    ['::ffff:cb00:7109', '203.0.113.9'],
    ['0:0:0:0:0:ffff:cb00:7109', '203.0.113.9'],
    ['0000:0000:0000:0000:0000:FFFF:203.0.113.9', '203.0.113.9'],
  ])('%s parses as %s', (text, expected) => {
    expect(parseIp(text)?.toString()).toBe(expected)
  })

  test.each([
    '0177.0.0.1',
    '127.1',
    '0x7f.0.0.1',
    '2130706433',
    '1.2.3.256',
    '01.2.3.4',
    'fe80::1%eth0',
    '1234:::5678',
    '::ffff:0177.0.0.1',
    '::ffff:127.1',
    ' 1.2.3.4',
    '1.2.3.4 ',
    '1.2.3.4:80',
    '',
    'localhost',
    '1:2:3:4:5:6:7:8:9',
    'x'.repeat(16_384),
  ])('%j is refused', (text) => {
    expect(parseIp(text)).toBeNull()
  })

  test('accepts no more than node:net does (besides zone ids, which we refuse)', () => {
    const samples = [
      '1.2.3.4',
      '255.255.255.255',
      '256.1.1.1',
      '::',
      '::ffff:1.2.3.4',
      '1::2::3',
      'fe80::1%1',
      'a:b:c:d:e:f:0:1',
    ]
    for (const sample of samples) {
      if (parseIp(sample) !== null) expect(isIP(sample)).not.toBe(0)
    }
  })
})

describe('compileIpRules', () => {
  test('IPv4 and IPv6 CIDR ranges and single addresses', () => {
    const rules = compileIpRules(['203.0.113.0/24', '2001:db8::/32', '198.51.100.7'], 'allowIps')
    const allowed = (text: string) => rules.matches(parseIp(text)!)
    expect(allowed('203.0.113.200')).toBe(true)
    expect(allowed('203.0.114.1')).toBe(false)
    expect(allowed('2001:db8:1::9')).toBe(true)
    expect(allowed('2001:db9::1')).toBe(false)
    expect(allowed('198.51.100.7')).toBe(true)
    expect(allowed('198.51.100.8')).toBe(false)
  })

  test('an IPv4 address and its mapped and expanded IPv6 forms get the same decision', () => {
    const rules = compileIpRules(['203.0.113.0/24'], 'allowIps')
    for (const form of ['203.0.113.9', '::ffff:203.0.113.9', '::ffff:cb00:7109', '0:0:0:0:0:ffff:cb00:7109']) {
      expect(rules.matches(parseIp(form)!)).toBe(true)
    }
  })

  test('a range with host bits set is read as its network, and onHostBits is told the rule and the network', () => {
    const told: [string, string][] = []
    const rules = compileIpRules(
      ['10.1.2.3/8', '10.0.0.0/8', '2001:db8::1/32', '::ffff:10.0.0.1/104', '1.2.3.4', '0.0.0.1/0'],
      'allowIps',
      (rule, network) => told.push([rule, network]),
    )
    expect(told).toEqual([
      ['10.1.2.3/8', '10.0.0.0/8'],
      ['2001:db8::1/32', '2001:db8::/32'],
      ['::ffff:10.0.0.1/104', '10.0.0.0/8'],
      ['0.0.0.1/0', '0.0.0.0/0'],
    ])
    expect(rules.matches(parseIp('10.200.0.1')!)).toBe(true)
    expect(rules.matches(parseIp('2001:db8:ffff::1')!)).toBe(true)
  })

  test('a mapped IPv6 rule matches the IPv4 address', () => {
    const rules = compileIpRules(['::ffff:10.0.0.0/104'], 'trustProxy')
    expect(rules.matches(parseIp('10.20.30.40')!)).toBe(true)
    expect(rules.matches(parseIp('11.0.0.1')!)).toBe(false)
  })

  test.each([
    '10.0.0.0/33',
    '::/129',
    '10.0.0.0/',
    '10.0.0.0/08',
    '10.0.0.0/-1',
    '127.1/8',
    'fe80::/10%eth0',
    'nope',
    '',
  ])('refuses the invalid rule %j at start-up', (rule) => {
    expect(() => compileIpRules([rule], 'allowIps')).toThrow(/allowIps/)
  })
})
