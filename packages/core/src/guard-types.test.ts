import { expect, test } from 'vitest'
import { makeSecret } from '../test-support/sign.js'
import { memoryStore } from './dedupe/memory-store.js'
import { createGuard } from './guard.js'
import { standardWebhooks } from './verify/standard-webhooks.js'

// `npm run typecheck` checks these: a wrong type here fails CI before any test runs.
const verify = [standardWebhooks({ secret: makeSecret().whsec })]

test('event.id is a string while dedupe is on, and string | null with dedupe off', () => {
  const lengths: number[] = []
  createGuard({ verify, enqueue: (event) => lengths.push(event.id.length) })
  createGuard({ verify, dedupe: memoryStore(), enqueue: (event) => lengths.push(event.id.length) })
  // @ts-expect-error with dedupe off the id may be null
  createGuard({ verify, dedupe: false, enqueue: (event) => lengths.push(event.id.length) })
  createGuard({ verify, dedupe: false, enqueue: (event) => lengths.push(event.id?.length ?? 0) })
  expect(lengths).toEqual([])
})
