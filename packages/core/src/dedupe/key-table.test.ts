import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { KeyTable } from './key-table.js'

/** Every key the table holds, oldest first, as the table finds them. */
function contents(table: KeyTable, keys: readonly string[], order: readonly string[]) {
  const found = keys.filter((key) => table.find(key) !== -1)
  return { size: table.size, found: order.filter((key) => found.includes(key)) }
}

describe('KeyTable', () => {
  test('matches an insertion-ordered Map under random adds, updates and removes, through growth and eviction', () => {
    type Op = { kind: 'add' | 'update' | 'remove'; key: number }
    const op: fc.Arbitrary<Op> = fc.record({
      kind: fc.constantFrom('add' as const, 'add' as const, 'update' as const, 'remove' as const),
      key: fc.nat(299),
    })
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 120 }), fc.array(op, { maxLength: 600 }), (maxSize, ops) => {
        const table = new KeyTable(maxSize)
        const model = new Map<string, { expiry: number; token: number }>()
        const keys = Array.from({ length: 300 }, (_, i) => `key-${i}`)
        ops.forEach((step, i) => {
          const key = keys[step.key] as string
          const slot = table.find(key)
          expect(slot !== -1).toBe(model.has(key))
          if (step.kind === 'add' && slot === -1) {
            table.add(key, i, i + 1)
            model.set(key, { expiry: i, token: i + 1 })
            while (model.size > maxSize) model.delete(model.keys().next().value as string)
          } else if (step.kind === 'update' && slot !== -1) {
            table.update(slot, i * 10, 0)
            model.set(key, { expiry: i * 10, token: 0 })
          } else if (step.kind === 'remove' && slot !== -1) {
            table.remove(slot)
            model.delete(key)
          }
        })
        expect(contents(table, keys, [...model.keys()])).toEqual({ size: model.size, found: [...model.keys()] })
        for (const [key, entry] of model) {
          const slot = table.find(key)
          expect([table.expiry(slot), table.token(slot)]).toEqual([entry.expiry, entry.token])
        }
        // The order: once the table is full, each new key evicts the oldest, in the model's order.
        const order = [...model.keys()]
        let fill = 0
        while (table.size < maxSize) table.add(`fill-${fill++}`, 0, 0)
        order.forEach((key, k) => {
          table.add(`fill-${fill++}`, 0, 0)
          expect(table.find(key)).toBe(-1)
          if (k + 1 < order.length) expect(table.find(order[k + 1] as string)).not.toBe(-1)
        })
      }),
      { numRuns: 500 },
    )
  })

  test('holds many keys with long probe runs: every key is found until it is evicted', () => {
    const table = new KeyTable(10_000)
    for (let i = 0; i < 25_000; i++) table.add(`msg_${i}`, i, i + 1)
    expect(table.size).toBe(10_000)
    for (let i = 0; i < 25_000; i++) expect(table.find(`msg_${i}`) !== -1).toBe(i >= 15_000)
    for (let i = 15_000; i < 25_000; i += 2) table.remove(table.find(`msg_${i}`))
    for (let i = 15_000; i < 25_000; i++) expect(table.find(`msg_${i}`) !== -1).toBe(i % 2 === 1)
  })
})
