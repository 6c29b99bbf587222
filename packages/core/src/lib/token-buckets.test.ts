import { describe, expect, test } from 'vitest'
import { tokenBuckets } from './token-buckets.js'

const t0 = 1_700_000_000_000

describe('tokenBuckets', () => {
  test('perMinute tokens per name, the burst too, refilled continuously', () => {
    const buckets = tokenBuckets(3)
    expect([1, 2, 3, 4].map(() => buckets.take('acme', t0))).toEqual([true, true, true, false])
    // Another name has its own bucket.
    expect(buckets.take('globex', t0)).toBe(true)
    // One token back every 20 s at 3 a minute.
    expect(buckets.take('acme', t0 + 10_000)).toBe(false)
    expect(buckets.take('acme', t0 + 30_000)).toBe(true)
    expect(buckets.take('acme', t0 + 30_000)).toBe(false)
  })

  test('a bucket unused for a minute (full again) is forgotten; at most maxNames are kept', () => {
    const buckets = tokenBuckets(1, 3)
    for (const name of ['a', 'b', 'c']) expect(buckets.take(name, t0)).toBe(true)
    // Three kept: a fourth name gets no token; a is used again (and moves to the end).
    expect(buckets.take('d', t0 + 30_000)).toBe(false)
    expect(buckets.take('a', t0 + 30_000)).toBe(false)
    expect(buckets.size).toBe(3)
    // b and c were last used a minute ago: forgotten; a was used since, so it is kept.
    expect(buckets.take('d', t0 + 60_000)).toBe(true)
    expect(buckets.size).toBe(2)
    expect(buckets.take('b', t0 + 60_000)).toBe(true)
    expect(buckets.size).toBe(3)
  })
})
