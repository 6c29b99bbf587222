import { describe, expect, test } from 'vitest'
import {
  booleanOption,
  headerName,
  keptHeaderNames,
  maxTimerMs,
  nonEmptyString,
  nonNegativeNumber,
  oneOf,
  oneOrMore,
  positiveInteger,
  positiveNumber,
  requireOptions,
  timerMs,
} from './option-checks.js'

const where = 'acme'

describe('option checks: one voice, `<factory>: <option> must be <what>`', () => {
  test.each([
    [
      'positiveNumber',
      (v: unknown) => positiveNumber(v, where, 'n'),
      [0, -1, Number.NaN, Infinity, -Infinity, '5', null],
      [0.5, 300],
    ],
    [
      'positiveInteger',
      (v: unknown) => positiveInteger(v, where, 'n'),
      [0, -1, 1.5, Number.NaN, Infinity, 2 ** 53, '5'],
      [1, 16],
    ],
    [
      'nonNegativeNumber',
      (v: unknown) => nonNegativeNumber(v, where, 'n'),
      [-1, -0.001, Number.NaN, Infinity, '0'],
      [0, 60, 0.5],
    ],
    [
      'timerMs',
      (v: unknown) => timerMs(v, where, 'n'),
      [0, -1, Number.NaN, Infinity, maxTimerMs + 1, 3e9],
      [1, 0.5, maxTimerMs],
    ],
    ['booleanOption', (v: unknown) => booleanOption(v, where, 'n'), ['true', 0, 1, null], [true, false]],
    ['nonEmptyString', (v: unknown) => nonEmptyString(v, where, 'n'), ['', 5, null, ['a']], ['a']],
    ['oneOf', (v: unknown) => oneOf(v, ['closed', 'open'], where, 'n'), ['maybe', 'CLOSED', undefined], ['open']],
    ['oneOrMore', (v: unknown) => oneOrMore(v, where, 'n'), [[], undefined, null], ['a', ['a', 'b']]],
  ] as const)('%s refuses the bad values and returns the good ones', (_name, check, bad, good) => {
    for (const value of bad) {
      expect(() => check(value), String(value)).toThrow(TypeError)
      expect(() => check(value), String(value)).toThrow(/^acme: n must be /)
    }
    for (const value of good) expect(() => check(value), String(value)).not.toThrow()
  })

  test('oneOrMore turns one value into a list of one', () => {
    expect(oneOrMore('a', where, 'secret')).toEqual(['a'])
    expect(oneOrMore(['a', 'b'], where, 'secret')).toEqual(['a', 'b'])
  })

  test('oneOf lists the choices', () => {
    expect(() => oneOf('x', ['sha1', 'sha256', 'sha512'], where, 'algorithm')).toThrow(
      "acme: algorithm must be 'sha1', 'sha256' or 'sha512'",
    )
  })

  test('requireOptions refuses what is not an options object', () => {
    for (const value of [undefined, null, 'secret', 5, ['a']]) {
      expect(() => requireOptions(value, 'acme'), String(value)).toThrow('acme needs an options object')
    }
    const options = { a: 1 }
    expect(requireOptions(options, 'acme')).toBe(options)
  })

  test('headerName lower-cases a token and refuses the rest, and the names a plain object answers to', () => {
    expect(headerName('X-Acme-Signature', where, 'header')).toBe('x-acme-signature')
    for (const bad of ['x sig', '', 'x:y', 'é', 5, undefined, '__proto__', 'constructor', 'Prototype']) {
      expect(() => headerName(bad, where, 'header'), String(bad)).toThrow(/^acme: header must be a header name/)
    }
  })

  test('keptHeaderNames refuses credential headers, the given ones, and non-lists', () => {
    expect(keptHeaderNames(['X-Request-Id', 'user-agent'], where, 'keepHeaders')).toEqual([
      'x-request-id',
      'user-agent',
    ])
    for (const name of ['authorization', 'Proxy-Authorization', 'cookie', 'set-cookie']) {
      expect(() => keptHeaderNames(['x-ok', name], where, 'keepHeaders'), name).toThrow(
        /^acme: keepHeaders\[1\] must be a header that carries no credential/,
      )
    }
    expect(() => keptHeaderNames(['x-acme-signature'], where, 'keepHeaders', ['x-acme-signature'])).toThrow(
      /keepHeaders\[0\]/,
    )
    expect(() => keptHeaderNames(['__proto__'], where, 'keepHeaders')).toThrow(/^acme: keepHeaders\[0\] must be/)
    expect(() => keptHeaderNames('x-request-id', where, 'keepHeaders')).toThrow(/^acme: keepHeaders must be a list/)
  })
})
