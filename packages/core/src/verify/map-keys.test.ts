import { describe, expect, test } from 'vitest'
import { type KeyContext, type KeyLookup, keyResolver } from './key-resolver.js'
import { mapKeys } from './map-keys.js'

const context: KeyContext = { tenant: 'acme', method: 'POST', headers: {}, params: {}, query: '' }
const upper = (key: string, label: string) => {
  if (key === '') throw new TypeError(`acme: ${label} must be a non-empty string`)
  return key.toUpperCase()
}

describe('mapKeys', () => {
  test('static keys are rewritten now, each keeping its window; a bad one names its place', () => {
    expect(mapKeys('a', 'acme', 'secret', upper)).toEqual(['A'])
    expect(mapKeys(['a', { key: 'b', notBefore: 1, notAfter: 2 }], 'acme', 'secret', upper)).toEqual([
      'A',
      { key: 'B', notBefore: 1, notAfter: 2 },
    ])
    expect(() => mapKeys(['a', { key: '' }], 'acme', 'secret', upper)).toThrow(
      'acme: secret[1].key must be a non-empty string',
    )
    expect(() => mapKeys([], 'acme', 'secret', upper)).toThrow('acme: secret must be one value or a non-empty list')
  })

  test("a resolver's keys are rewritten as it returns them, its cache settings kept; an unknown tenant stays unknown", async () => {
    const lookup = mapKeys(
      keyResolver(async () => ['a', { key: 'b', notAfter: 5 }], { ttlMs: 1_234, maxTenants: 7 }),
      'acme',
      'secret',
      upper,
    ) as KeyLookup<string>
    expect({ ttlMs: lookup.ttlMs, maxTenants: lookup.maxTenants }).toEqual({ ttlMs: 1_234, maxTenants: 7 })
    expect(await lookup.resolve(context)).toEqual(['A', { key: 'B', notAfter: 5 }])
    const plain = mapKeys(() => 'a', 'acme', 'secret', upper) as KeyLookup<string>
    expect(plain.resolve(context)).toEqual(['A'])
    expect((mapKeys(() => null, 'acme', 'secret', upper) as KeyLookup<string>).resolve(context)).toBeNull()
    const bad = mapKeys(() => [''], 'acme', 'secret', upper) as KeyLookup<string>
    expect(() => bad.resolve(context)).toThrow('acme: resolved secret[0] must be a non-empty string')
  })
})
