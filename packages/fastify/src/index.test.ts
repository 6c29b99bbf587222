import { createGuard, type Guard, type GuardOptions, standardWebhooks, type WebhookEvent } from '@hookguard/core'
import Fastify from 'fastify'
import { describe, expect, test } from 'vitest'
import { makeSecret, signedHeaders } from '../../core/test-support/sign.js'
import { hookguard } from './index.js'

const secret = makeSecret()
const body = JSON.stringify({ type: 'scan.completed', data: { scanId: 'abc' } })

function guardFor(enqueued: WebhookEvent[], options: Partial<GuardOptions> = {}) {
  return createGuard({
    verify: [standardWebhooks({ secret: secret.whsec })],
    enqueue: (event) => {
      enqueued.push(event)
    },
    eventType: { param: 'status' },
    ...options,
  })
}

function delivery(url: string, id: string) {
  return {
    method: 'POST' as const,
    url,
    headers: { 'content-type': 'application/json', ...signedHeaders(secret.key, { id, body }) },
    payload: body,
  }
}

// Only what is Fastify's own: its body parsers, encapsulation, prefixes, option checks and error handler. What every
// adapter must do (statuses, methods, route params, duplicates, repeated headers) runs in test/conformance.test.ts.
describe('hookguard on Fastify', () => {
  test("the rest of the app keeps Fastify's JSON parser while hookguard's routes get the raw bytes", async () => {
    const enqueued: WebhookEvent[] = []
    const app = Fastify()
    app.post('/api/echo', async (request) => ({ parsed: request.body }))
    app.register(hookguard, { guard: guardFor(enqueued), url: '/hooks/:status' })

    const accepted = await app.inject(delivery('/hooks/DONE', 'msg_f1'))
    expect(accepted.statusCode).toBe(202)
    expect(enqueued.map((e) => [e.id, e.type, e.payload])).toEqual([['msg_f1', 'DONE', JSON.parse(body)]])

    const echoed = await app.inject({ method: 'POST', url: '/api/echo', payload: { n: 1 } })
    expect(echoed.json()).toEqual({ parsed: { n: 1 } })
    await app.close()
  })

  test("under the plugin's prefix, on each of several urls", async () => {
    const enqueued: WebhookEvent[] = []
    const app = Fastify()
    app.register(hookguard, { guard: guardFor(enqueued), url: ['/hooks', '/hooks/:status'], prefix: '/v1' })
    expect((await app.inject(delivery('/v1/hooks/DONE', 'msg_f2'))).statusCode).toBe(202)
    expect((await app.inject(delivery('/v1/hooks', 'msg_f3'))).statusCode).toBe(202)
    expect((await app.inject(delivery('/hooks/DONE', 'msg_f4'))).statusCode).toBe(404)
    expect(enqueued.map((e) => [e.id, e.type])).toEqual([
      ['msg_f2', 'DONE'],
      ['msg_f3', 'scan.completed'],
    ])
    await app.close()
  })

  test('a hook that read the body first: 500 raw_body_unavailable, with the fix in the log, never re-serialized', async () => {
    const enqueued: WebhookEvent[] = []
    const logged: Record<string, unknown>[] = []
    const logger = { info() {}, warn() {}, error: (record: object) => logged.push(record as Record<string, unknown>) }
    const app = Fastify()
    app.register(async (scope) => {
      scope.addHook('preParsing', async (request) => {
        for await (const _chunk of request.raw) {
          // drains the stream, as a hook that logs bodies would
        }
      })
      await scope.register(hookguard, { guard: guardFor(enqueued, { logger }), url: '/hooks/:status' })
    })
    const reply = await app.inject(delivery('/hooks/DONE', 'msg_f5'))
    expect(reply.statusCode).toBe(500)
    expect(reply.json()).toMatchObject({ code: 'raw_body_unavailable' })
    expect(String(logged[0]?.detail)).toContain('app.register(hookguard')
    expect(enqueued).toHaveLength(0)
    await app.close()
  })

  test("a failing guard goes to Fastify's error handler", async () => {
    const failing = { process: () => Promise.reject(new Error('boom')), reportUnwritten() {} } as unknown as Guard
    const app = Fastify()
    const errors: unknown[] = []
    app.setErrorHandler((error, _request, reply) => {
      errors.push(error)
      return reply.code(500).send({ handled: true })
    })
    app.register(hookguard, { guard: failing, url: '/hooks' })
    const reply = await app.inject(delivery('/hooks', 'msg_f6'))
    expect([reply.statusCode, reply.json()]).toEqual([500, { handled: true }])
    expect(errors).toEqual([new Error('boom')])
    await app.close()
  })

  test('options are checked when the plugin loads, each named', async () => {
    const guard = guardFor([])
    const cases = [
      [{ url: '/hooks' }, 'hookguard: guard must be'],
      [{ guard }, 'hookguard: url must be'],
      [{ guard, url: [] }, 'hookguard: url must be'],
    ] as const
    for (const [options, message] of cases) {
      const app = Fastify()
      app.register(hookguard, options as never)
      await expect(app.ready()).rejects.toThrow(new TypeError(message).message)
      await app.close().catch(() => {})
    }
  })
})
