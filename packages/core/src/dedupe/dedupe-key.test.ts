import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { dedupeKey, replayId } from './dedupe-key.js'

/** A reference decoder, written apart from the encoder: a key that decodes back to its parts is injective. */
function decode(key: string): [string, string, string] {
  const parts: string[] = []
  let at = 0
  for (let field = 0; field < 2; field++) {
    const colon = key.indexOf(':', at)
    const length = Number(key.slice(at, colon))
    parts.push(key.slice(colon + 1, colon + 1 + length))
    at = colon + 1 + length
    expect(key[at]).toBe(':')
    at += 1
  }
  return [parts[0] as string, parts[1] as string, key.slice(at)]
}

// Few characters, `:` and digits among them, so that near-collisions are common.
const part = fc.string({ unit: fc.constantFrom(':', '0', '1', '4', 'a', ' '), maxLength: 6 })
const eventId = fc.string({ unit: fc.constantFrom(':', '1', 'a', '~', '!'), minLength: 1, maxLength: 8 })

describe('dedupe keys', () => {
  test('the tenant-a `shop` / `eu:evt_9` and tenant-b `shop:eu` / `evt_9` keys differ', () => {
    expect(dedupeKey('shop', '', 'eu:evt_9')).not.toBe(dedupeKey('shop:eu', '', 'evt_9'))
    expect(dedupeKey('billing', '', 'msg_1')).toBe('7:billing:0::msg_1')
  })

  test('a key decodes back to its (namespace, tenant, id)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (namespace, tenant, id) => {
        expect(decode(dedupeKey(namespace, tenant, id))).toEqual([namespace, tenant, id])
      }),
    )
  })

  test('two triples meet only when they are equal', () => {
    fc.assert(
      fc.property(fc.tuple(part, part, part), fc.tuple(part, part, part), (a, b) => {
        const same = a[0] === b[0] && a[1] === b[1] && a[2] === b[2]
        expect(dedupeKey(...a) === dedupeKey(...b)).toBe(same)
      }),
      { numRuns: 5_000 },
    )
  })

  test('a replay id never meets an event id, and two replay ids meet only when verifier and key are equal', () => {
    fc.assert(
      fc.property(eventId, part, part, part, part, (id, verifier, key, otherVerifier, otherKey) => {
        expect(/^[\x21-\x7e]{1,256}$/.test(replayId(verifier, key))).toBe(false)
        expect(replayId(verifier, key)).not.toBe(id)
        const same = verifier === otherVerifier && key === otherKey
        expect(replayId(verifier, key) === replayId(otherVerifier, otherKey)).toBe(same)
      }),
      { numRuns: 5_000 },
    )
  })
})
