import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { SignatureList, signatureEntries } from './signature-list.js'

/** What the scanner must agree with, written the plain way: split on spaces, drop empties, keep the first `max`. */
function reference(list: string, max: number) {
  return list
    .split(' ')
    .filter((entry) => entry !== '')
    .slice(0, max)
    .map((entry) => {
      if (entry.startsWith('v1,')) return { version: 'v1', value: entry.slice(3), entry }
      if (entry.startsWith('v1a,')) return { version: 'v1a', value: entry.slice(4), entry }
      return { version: 'other', value: entry, entry }
    })
}

function scanned(list: string, max: number) {
  const entries = new SignatureList(list, max)
  const found: { version: string; value: string; entry: string }[] = []
  while (entries.next()) found.push({ version: entries.version, value: entries.value(), entry: entries.entry() })
  return { found, count: entries.count }
}

/** Lists built from the pieces that matter: versions, separators, empty and odd entries. */
const lists = fc
  .array(fc.constantFrom('v1,', 'v1a,', 'v1', 'v2,', 'v1,abc=', 'v1a,QUJD', ' ', '  ', ',', 'x', '=', ', '), {
    maxLength: 24,
  })
  .map((pieces) => pieces.join(''))

describe('SignatureList', () => {
  test('reads what split-and-filter reads, capped at max, counting what it read', () => {
    fc.assert(
      fc.property(lists, fc.integer({ min: 1, max: 20 }), (list, max) => {
        const expected = reference(list, max)
        const { found, count } = scanned(list, max)
        expect(found).toEqual(expected)
        expect(count).toBe(expected.length)
        expect(signatureEntries(list, max)).toEqual(expected.map((e) => e.entry))
      }),
      { numRuns: 2_000 },
    )
  })

  test('versions and value spans, in place', () => {
    const list = '  v1,abc v1a,def  v2,ghi v1, last'
    expect(scanned(list, 16).found).toEqual([
      { version: 'v1', value: 'abc', entry: 'v1,abc' },
      { version: 'v1a', value: 'def', entry: 'v1a,def' },
      { version: 'other', value: 'v2,ghi', entry: 'v2,ghi' },
      { version: 'v1', value: '', entry: 'v1,' },
      { version: 'other', value: 'last', entry: 'last' },
    ])
    expect(scanned(list, 2)).toEqual({ found: scanned(list, 16).found.slice(0, 2), count: 2 })
    expect(scanned('', 16)).toEqual({ found: [], count: 0 })
  })

  test('valueIs compares the whole value, not a prefix or a longer text', () => {
    const entries = new SignatureList('v1,abcd v1,abc', 16)
    expect(entries.next()).toBe(true)
    expect([entries.valueIs('abcd'), entries.valueIs('abc'), entries.valueIs('abcde')]).toEqual([true, false, false])
    expect(entries.next()).toBe(true)
    expect([entries.valueIs('abc'), entries.valueIs('abcd')]).toEqual([true, false])
    expect(entries.next()).toBe(false)
  })
})
