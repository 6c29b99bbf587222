import { type } from 'arktype'
import * as v from 'valibot'
import { expect, expectTypeOf, test } from 'vitest'
import { z } from 'zod'
import { makeSecret } from '../test-support/sign.js'
import { memoryStore } from './dedupe/memory-store.js'
import type { StandardSchemaV1 } from './event/standard-schema.js'
import { createGuard } from './guard.js'
import type { EventOf, WebhookEvent } from './types.js'
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

interface ScanDone {
  type: 'scan.completed'
  data: { scanId: string }
}
interface ScanFailed {
  type: 'scan.failed'
  data: { reason: string }
}

test('a map of event types narrows event.payload by event.type inside enqueue', () => {
  const seen: string[] = []
  createGuard<{ 'scan.completed': ScanDone; 'scan.failed': ScanFailed }>({
    verify,
    allowTypes: ['scan.completed', 'scan.failed'],
    enqueue: (event) => {
      expectTypeOf(event.id).toEqualTypeOf<string>()
      expectTypeOf(event.type).toEqualTypeOf<'scan.completed' | 'scan.failed'>()
      if (event.type === 'scan.completed') {
        expectTypeOf(event.payload).toEqualTypeOf<ScanDone>()
        seen.push(event.payload.data.scanId)
      } else {
        expectTypeOf(event.payload).toEqualTypeOf<ScanFailed>()
        seen.push(event.payload.data.reason)
        // @ts-expect-error a failed scan has no scanId
        seen.push(event.payload.data.scanId)
      }
    },
  })
  createGuard<{ 'scan.completed': ScanDone }>({
    verify,
    dedupe: false,
    enqueue: (event) => {
      expectTypeOf(event.id).toEqualTypeOf<string | null>()
      expectTypeOf(event).toEqualTypeOf<WebhookEvent<string | null, 'scan.completed', ScanDone>>()
    },
  })
  expect(seen).toEqual([])
})

test('without a map, events stay untyped', () => {
  createGuard({
    verify,
    enqueue: (event) => {
      expectTypeOf(event.type).toEqualTypeOf<string | null>()
      expectTypeOf(event.payload).toEqualTypeOf<unknown>()
    },
  })
  expectTypeOf<EventOf<never>>().toEqualTypeOf<WebhookEvent>()
})

test('the map is inferred from events schemas: zod, valibot and arktype', () => {
  createGuard({
    verify,
    events: {
      'scan.completed': z.object({ data: z.object({ scanId: z.string() }) }),
      'scan.failed': v.object({ data: v.object({ reason: v.string() }) }),
      'scan.queued': type({ data: { position: 'number' } }),
    },
    enqueue: (event) => {
      expectTypeOf(event.id).toEqualTypeOf<string>()
      expectTypeOf(event.type).toEqualTypeOf<'scan.completed' | 'scan.failed' | 'scan.queued'>()
      if (event.type === 'scan.completed') expectTypeOf(event.payload).toEqualTypeOf<{ data: { scanId: string } }>()
      if (event.type === 'scan.failed') expectTypeOf(event.payload).toEqualTypeOf<{ data: { reason: string } }>()
      if (event.type === 'scan.queued') expectTypeOf(event.payload).toEqualTypeOf<{ data: { position: number } }>()
    },
  })
  // The schema's output, not its input, is the payload.
  createGuard({
    verify,
    events: { 'scan.completed': z.object({ at: z.string().transform((at) => new Date(at)) }) },
    enqueue: (event) => expectTypeOf(event.payload.at).toEqualTypeOf<Date>(),
  })
})

test('onInvalid gets the event and the Standard Schema issues', () => {
  createGuard({
    verify,
    events: { 'scan.completed': z.object({ scanId: z.string() }) },
    onInvalid: (event, issues) => {
      expectTypeOf(event.id).toEqualTypeOf<string>()
      expectTypeOf(issues).toEqualTypeOf<readonly StandardSchemaV1.Issue[]>()
    },
    enqueue: () => {},
  })
  // @ts-expect-error invalidPayloadStatus is 200, 400 or 422
  expect(() => createGuard({ verify, events: {}, invalidPayloadStatus: 500, enqueue: () => {} })).toThrow(
    'createGuard: invalidPayloadStatus must be',
  )
})
