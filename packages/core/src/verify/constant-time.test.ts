import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { safeEqual, safeEqualAt, safeEqualBytes, safeEqualSecret } from './constant-time.js'

describe('constant-time comparisons', () => {
  test('safeEqual and safeEqualBytes say what === says', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(safeEqual(a, b)).toBe(a === b)
        expect(safeEqual(a, a)).toBe(true)
        const bytesA = new TextEncoder().encode(a)
        const bytesB = new TextEncoder().encode(b)
        expect(safeEqualBytes(bytesA, bytesB)).toBe(Buffer.from(bytesA).equals(bytesB))
      }),
    )
  })

  test('safeEqualSecret says what === says, for any non-empty secret, prefixes and repeats included', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), (input, secret) => {
        expect(safeEqualSecret(input, secret)).toBe(input === secret)
        expect(safeEqualSecret(secret, secret)).toBe(true)
        expect(safeEqualSecret(secret + secret, secret)).toBe(false)
        expect(safeEqualSecret(secret.slice(0, -1), secret)).toBe(false)
      }),
    )
  })

  test('safeEqualAt is safeEqual on the part of the text at the offset', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.integer({ min: -3, max: 40 }), (text, expected, offset) => {
        const part = offset < 0 || offset > text.length ? undefined : text.slice(offset, offset + expected.length)
        const inside = part !== undefined && part.length === expected.length
        expect(safeEqualAt(text, offset, expected)).toBe(inside && part === expected)
      }),
    )
    expect(safeEqualAt('v1,abc def', 3, 'abc')).toBe(true)
    expect(safeEqualAt('v1,abc', 3, 'abcd')).toBe(false)
    expect(safeEqualAt('v1,abd', 3, 'abc')).toBe(false)
  })
})
