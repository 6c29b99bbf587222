import { describe, expect, test } from 'vitest'
import { z } from 'zod'
import { makeSecret } from '../../test-support/sign.js'
import { createGuard } from '../guard.js'
import type { GuardOptions } from '../options.js'
import { standardWebhooks } from '../verify/standard-webhooks.js'
import { describeIssues } from './event-types.js'

const verify = [standardWebhooks({ secret: makeSecret().whsec })]
const untyped = (options: Record<string, unknown>) => ({ verify, enqueue: () => {}, ...options }) as GuardOptions

describe('event type options', () => {
  test('are checked at creation, naming the option', () => {
    expect(() => createGuard(untyped({ events: { 'a.b': { parse() {} } } }))).toThrow(
      "createGuard: events['a.b'] must be a Standard Schema (zod, valibot, arktype, …)",
    )
    expect(() => createGuard(untyped({ events: [] }))).toThrow('createGuard: events must be an object')
    expect(() => createGuard(untyped({ allowTypes: 'a.b' }))).toThrow('createGuard: allowTypes must be a list')
    expect(() => createGuard(untyped({ ignoreTypes: [''] }))).toThrow('createGuard: ignoreTypes[0] must be')
    expect(() => createGuard(untyped({ events: { 'a.b': z.object({}) }, allowTypes: ['c.d'] }))).toThrow(
      "createGuard: allowTypes names 'c.d', which events has no schema for",
    )
    expect(() => createGuard(untyped({ onInvalid: () => {} }))).toThrow(
      'onInvalid and invalidPayloadStatus need events',
    )
    expect(() => createGuard(untyped({ events: {}, onInvalid: 'dlq' }))).toThrow(
      'createGuard: onInvalid must be a function',
    )
    expect(() => createGuard(untyped({ events: {}, invalidPayloadStatus: 500 }))).toThrow('invalidPayloadStatus')
  })

  test("the log's account of issues: count and paths, never the messages", () => {
    const issues = [
      { message: 'Expected string, received "s3cr3t"', path: ['data', { key: 'scanId' }] },
      { message: 'root', path: undefined },
      ...Array.from({ length: 5 }, (_, i) => ({ message: 'x', path: [i] })),
    ]
    const described = describeIssues(issues)
    expect(described).toBe('7 issues at data.scanId, (root), 0, 1, 2, and 2 more')
    expect(described).not.toContain('s3cr3t')
  })
})
