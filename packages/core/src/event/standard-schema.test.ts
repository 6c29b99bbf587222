import type { StandardSchemaV1 as Spec } from '@standard-schema/spec'
import { expectTypeOf, test } from 'vitest'
import type { StandardSchemaV1 } from './standard-schema.js'

// `npm run typecheck` checks these: the copy must stay the spec's interface, both ways.
test('the copied Standard Schema interface is the spec package’s, both ways', () => {
  expectTypeOf<Spec<unknown, { a: string }>>().toExtend<StandardSchemaV1<unknown, { a: string }>>()
  expectTypeOf<StandardSchemaV1<unknown, { a: string }>>().toExtend<Spec<unknown, { a: string }>>()
  expectTypeOf<StandardSchemaV1.Issue>().toEqualTypeOf<Spec.Issue>()
  expectTypeOf<StandardSchemaV1.Result<number>>().toEqualTypeOf<Spec.Result<number>>()
  expectTypeOf<StandardSchemaV1.InferOutput<Spec<string, number>>>().toEqualTypeOf<number>()
})
