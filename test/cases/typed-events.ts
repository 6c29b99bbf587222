import type { GuardOptions, Logger, StandardSchemaV1, WebhookEvent } from '@hookguard/core'
import { type } from 'arktype'
import * as v from 'valibot'
import { expect } from 'vitest'
import { z } from 'zod'
import { send } from '../http-client.js'
import { type ConformanceCase, deliver, expectRejected, expectVerdict, headersFor } from './support.js'

/**
 * The cases' options are the untyped `GuardOptions`, whose `events` (a schema per type of no type map) takes
 * nothing: the schemas are passed through as such.
 */
const events = (schemas: Record<string, StandardSchemaV1>) => schemas as unknown as GuardOptions['events']

/** A payload's `data` as each library checks it, each with a transform, so the payload is the schema's output. */
const libraries = {
  zod: z
    .object({ type: z.literal('scan.completed'), data: z.object({ scanId: z.string() }) })
    .transform((payload) => ({ ...payload, checkedBy: 'zod' })),
  valibot: v.pipe(
    v.object({ type: v.literal('scan.completed'), data: v.object({ scanId: v.string() }) }),
    v.transform((payload) => ({ ...payload, checkedBy: 'valibot' })),
  ),
  arktype: type({ type: "'scan.completed'", data: { scanId: 'string' } }).pipe((payload) => ({
    ...payload,
    checkedBy: 'arktype',
  })),
} satisfies Record<string, StandardSchemaV1>

/** A body whose `scanId` is a number: the schema's one issue is at `data.scanId`. */
const invalidBody = JSON.stringify({ type: 'scan.completed', data: { scanId: 4242, secretish: 'do-not-log-me' } })

/** A logger that keeps every record with its level and message. */
function recordingLogger(): { entries: { level: string; message?: string; record: object }[]; logger: Logger } {
  const entries: { level: string; message?: string; record: object }[] = []
  const at = (level: string) => (record: object, message?: string) => entries.push({ level, message, record })
  return { entries, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } }
}

/** Step 6, its typed part: `events` schemas, `allowTypes` / `ignoreTypes`, and the answers they give. */
export const typedEventCases: readonly ConformanceCase[] = [
  ...Object.entries(libraries).map(
    ([library, schema]): ConformanceCase => ({
      name: `${library}: a valid payload is enqueued as the schema's output; an invalid one is 200 invalid_payload, handed to onInvalid, not enqueued`,
      async run(start) {
        const invalid: [WebhookEvent, readonly StandardSchemaV1.Issue[]][] = []
        const server = await start({
          events: events({ 'scan.completed': schema }),
          onInvalid: async (event, issues) => {
            invalid.push([event, issues])
          },
        })
        expectVerdict(await deliver(server, { id: `msg_${library}_ok` }), 202, 'accepted')
        expect(server.enqueued.map((e) => e.payload)).toEqual([
          { type: 'scan.completed', data: { scanId: 'abc' }, checkedBy: library },
        ])
        // The event on the queue is plain data still, the validated payload in it.
        expect(JSON.parse(JSON.stringify(server.enqueued[0])).payload.checkedBy).toBe(library)

        const reply = await deliver(server, { id: `msg_${library}_bad`, body: invalidBody })
        expectVerdict(reply, 200, 'invalid_payload')
        expect(server.enqueued).toHaveLength(1)
        expect(invalid).toHaveLength(1)
        const [event, issues] = invalid[0]!
        expect(event).toMatchObject({ id: `msg_${library}_bad`, type: 'scan.completed' })
        expect(event.payload).toEqual(JSON.parse(invalidBody))
        const paths = issues.map((issue) => issue.path?.map((s) => (typeof s === 'object' ? s.key : s)).join('.'))
        expect(paths).toContain('data.scanId')
      },
    }),
  ),
  {
    name: 'invalidPayloadStatus 422 or 400: the invalid payload is a problem+json refusal; nothing is enqueued',
    async run(start) {
      for (const status of [422, 400] as const) {
        const server = await start({
          events: events({ 'scan.completed': libraries.zod }),
          invalidPayloadStatus: status,
        })
        expectRejected(
          server,
          await deliver(server, { id: `msg_${status}`, body: invalidBody }),
          status,
          'invalid_payload',
        )
      }
    },
  },
  {
    name: 'onInvalid failing answers 503 dead_letter_failed so the sender retries; the retry is handed off again (not deduped)',
    async run(start) {
      let down = true
      const handedOff: string[] = []
      const server = await start({
        events: events({ 'scan.completed': libraries.valibot }),
        onInvalid: async (event) => {
          if (down) throw new Error('dead-letter queue down')
          handedOff.push(event.id as string)
        },
      })
      expectRejected(server, await deliver(server, { id: 'msg_dlq', body: invalidBody }), 503, 'dead_letter_failed')
      down = false
      expectVerdict(await deliver(server, { id: 'msg_dlq', body: invalidBody }), 200, 'invalid_payload')
      expect(handedOff).toEqual(['msg_dlq'])
      // The id was never claimed: a valid delivery under it is still taken.
      expectVerdict(await deliver(server, { id: 'msg_dlq' }), 202, 'accepted')
    },
  },
  {
    name: 'with events, a type it has no schema for is 200 ignored, not enqueued, and not deduped',
    async run(start) {
      const server = await start({ events: events({ 'scan.failed': libraries.arktype }) })
      for (let i = 0; i < 2; i++) {
        expectVerdict(await deliver(server, { id: 'msg_other_type' }), 200, 'ignored')
      }
      expect(server.enqueued).toEqual([])
    },
  },
  {
    name: 'allowTypes and ignoreTypes: a type not allowed, or ignored, is 200 ignored and not enqueued; the rest are taken',
    async run(start) {
      const other = JSON.stringify({ type: 'scan.started', data: {} })
      const allow = await start({ allowTypes: ['scan.started'] })
      expectVerdict(await deliver(allow, { id: 'msg_a1' }), 200, 'ignored')
      expectVerdict(await deliver(allow, { id: 'msg_a2', body: other }), 202, 'accepted')
      expect(allow.enqueued.map((e) => e.type)).toEqual(['scan.started'])
      const ignore = await start({ ignoreTypes: ['scan.completed'] })
      expectVerdict(await deliver(ignore, { id: 'msg_i1' }), 200, 'ignored')
      expectVerdict(await deliver(ignore, { id: 'msg_i1' }), 200, 'ignored')
      expectVerdict(await deliver(ignore, { id: 'msg_i2', body: other }), 202, 'accepted')
      expect(ignore.enqueued.map((e) => e.id)).toEqual(['msg_i2'])
    },
  },
  {
    name: "an invalid payload is logged at warn with the issues' paths, never the body or the issues' messages",
    async run(start) {
      const { entries, logger } = recordingLogger()
      const server = await start({ logger, events: events({ 'scan.completed': libraries.zod }) })
      expectVerdict(await deliver(server, { id: 'msg_logged', body: invalidBody }), 200, 'invalid_payload')
      const warned = entries.filter((e) => e.level === 'warn')
      expect(warned).toHaveLength(1)
      expect(warned[0]?.record).toMatchObject({ code: 'invalid_payload', eventId: 'msg_logged', status: 200 })
      expect(warned[0]?.message).toMatch(/data\.scanId/)
      const logged = JSON.stringify(entries)
      expect(logged).not.toContain('do-not-log-me')
      expect(logged).not.toContain('4242')
    },
  },
]

/** The developer's first hour: a delivery of the wrong scheme, and what the log says about a refusal. */
export const firstHourCases: readonly ConformanceCase[] = [
  {
    name: 'a Stripe-signed delivery to a Standard Webhooks guard, or one with no signature: 401 missing_signature, not missing_event_id',
    async run(start) {
      const server = await start()
      const stripeHeaders = { 'content-type': 'application/json', 'stripe-signature': 't=1700000000,v1=00ff' }
      const body = JSON.stringify({ id: 'evt_1', type: 'charge.succeeded' })
      expectRejected(server, await send(server.url, { headers: stripeHeaders, body }), 401, 'missing_signature')
      const bare = { 'content-type': 'application/json' }
      expectRejected(server, await send(server.url, { headers: bare, body }), 401, 'missing_signature')
    },
  },
  {
    name: "the first refusal of a kind names its likely cause at warn, with the sender's unverified id",
    async run(start) {
      const { entries, logger } = recordingLogger()
      const server = await start({ logger })
      const headers = headersFor({ id: 'msg_tampered' })
      const reply = await send(server.url, { headers, body: '{"type":"scan.completed","data":{}}' })
      expectRejected(server, reply, 401, 'invalid_signature')
      const warned = entries.filter((e) => e.level === 'warn')
      expect(warned).toHaveLength(1)
      expect(warned[0]?.message).toMatch(/^webhook invalid_signature: .*clock offset/)
      expect(warned[0]?.record).toMatchObject({ eventId: null, unverifiedEventId: 'msg_tampered' })
    },
  },
]
