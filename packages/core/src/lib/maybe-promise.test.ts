import { describe, expect, test } from 'vitest'
import { andThen, isThenable, recover } from './maybe-promise.js'

describe('maybe-promise helpers', () => {
  test('andThen goes on synchronously with a value, and after the promise with a promise', async () => {
    expect(andThen(2, (n) => n + 1)).toBe(3)
    const later = andThen(Promise.resolve(2), (n) => n + 1)
    expect(isThenable(later)).toBe(true)
    expect(await later).toBe(3)
    await expect(andThen(Promise.reject(new Error('no')), () => 1)).rejects.toThrow('no')
  })

  test('recover handles a throw and a rejection alike, and leaves success alone', async () => {
    const handled = (error: unknown) => `handled ${(error as Error).message}`
    expect(
      recover(() => {
        throw new Error('sync')
      }, handled),
    ).toBe('handled sync')
    expect(await recover(() => Promise.reject(new Error('async')), handled)).toBe('handled async')
    expect(recover(() => 'fine', handled)).toBe('fine')
    expect(await recover(() => Promise.resolve('fine later'), handled)).toBe('fine later')
    expect(() =>
      recover(
        () => {
          throw new Error('first')
        },
        () => {
          throw new Error('second')
        },
      ),
    ).toThrow('second')
  })

  test('isThenable knows promises and thenables, and nothing else', () => {
    expect(isThenable(Promise.resolve())).toBe(true)
    // A custom store or queue may hand back any thenable, not only a native promise.
    // biome-ignore lint/suspicious/noThenProperty: the point of the test
    expect(isThenable({ then() {} })).toBe(true)
    // biome-ignore lint/suspicious/noThenProperty: the point of the test
    for (const value of [null, undefined, 0, 'then', {}, { then: 1 }]) expect(isThenable(value)).toBe(false)
  })
})
