import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { isoTime } from './iso-time.js'

describe('isoTime', () => {
  test('says what Date#toISOString says, for any time, in any order of calls', () => {
    const maxMs = 8.64e15
    fc.assert(
      fc.property(fc.array(fc.double({ min: -maxMs, max: maxMs, noNaN: true }), { minLength: 1 }), (times) => {
        for (const ms of times) expect(isoTime(ms)).toBe(new Date(ms).toISOString())
      }),
      { numRuns: 2_000 },
    )
    for (const ms of [0, 999, 1_000, 1_001, -1, -999, -1_000, 1_764_172_800_123, 1_764_172_800_999.9]) {
      expect(isoTime(ms)).toBe(new Date(ms).toISOString())
    }
  })

  test('many calls in one second and the next', () => {
    const base = Date.UTC(2026, 10, 26, 15, 40, 12)
    for (let ms = base - 5; ms < base + 2_005; ms += 7) expect(isoTime(ms)).toBe(new Date(ms).toISOString())
  })
})
