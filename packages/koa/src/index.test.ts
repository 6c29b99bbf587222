import { createServer, type Server } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { buffer, json } from 'node:stream/consumers'
import { createGuard, eventBody, type Logger, standardWebhooks, type WebhookEvent } from '@hookguard/core'
import Router from '@koa/router'
import Koa3, { type Middleware } from 'koa'
import bodyParser from 'koa-bodyparser'
import { afterEach, describe, expect, test } from 'vitest'
import { makeSecret, signedHeaders } from '../../core/test-support/sign.js'
import { type HookguardState, hookguard } from './index.js'

// Koa 2 is installed under an npm alias and ships no types of its own.
const Koa2 = createRequire(import.meta.url)('koa2') as typeof Koa3

const secret = makeSecret()
const body = JSON.stringify({ type: 'scan.completed', data: { scanId: 'abc' } })
const servers: Server[] = []

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))))
})

interface Setup {
  enqueued: WebhookEvent[]
  errors: object[]
  /** What `ctx.state.webhook` held once hookguard had answered, per request. */
  seen: (WebhookEvent | undefined)[]
  url: string
}

/** A Koa app: the given middleware, then hookguard on `/hooks/:status`. */
async function setup(Koa: typeof Koa3, before: Middleware[] = []): Promise<Setup> {
  const enqueued: WebhookEvent[] = []
  const errors: object[] = []
  const seen: (WebhookEvent | undefined)[] = []
  const logger: Logger = { info: () => {}, warn: () => {}, error: (record) => errors.push(record) }
  const guard = createGuard({
    verify: [standardWebhooks({ secret: secret.whsec })],
    enqueue: (event) => {
      enqueued.push(event)
    },
    eventType: { param: 'status' },
    logger,
  })
  const app = new Koa<HookguardState>()
  app.use(async (ctx, next) => {
    await next()
    seen.push(ctx.state.webhook)
  })
  for (const middleware of before) app.use(middleware)
  const router = new Router<HookguardState>()
  router.post('/hooks/:status', hookguard(guard))
  app.use(router.routes())
  const server = createServer(app.callback())
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/COMPLETED`
  return { enqueued, errors, seen, url }
}

function post(url: string, id: string, payload: string | Buffer, contentType = 'application/json') {
  const headers = { ...signedHeaders(secret.key, { id, body: payload }), 'content-type': contentType }
  return fetch(url, { method: 'POST', headers, body: typeof payload === 'string' ? payload : new Uint8Array(payload) })
}

for (const [name, Koa] of [
  ['Koa 3', Koa3],
  ['Koa 2', Koa2],
] as const) {
  describe(`hookguard on ${name}`, () => {
    test('accepts a signed delivery and puts the event on ctx.state.webhook', async () => {
      const app = await setup(Koa)
      const response = await post(app.url, 'msg_k1', body)
      expect(response.status).toBe(202)
      expect(response.headers.get('content-type')).toBe('application/json')
      expect(await response.json()).toEqual({ status: 202, code: 'accepted' })
      expect(app.enqueued).toHaveLength(1)
      expect(app.enqueued[0]).toMatchObject({ id: 'msg_k1', type: 'COMPLETED', params: { status: 'COMPLETED' } })
      expect(app.seen).toEqual([app.enqueued[0]])
    })

    test('leaves ctx.state.webhook unset on a rejection', async () => {
      const app = await setup(Koa)
      // A signature without its webhook-id: refused after the body is read (no credentials at all is refused before).
      const headers = { 'webhook-signature': 'v1,forged', 'webhook-timestamp': '1700000000' }
      const response = await fetch(app.url, { method: 'POST', headers, body })
      expect(response.status).toBe(400)
      expect(response.headers.get('content-type')).toBe('application/problem+json')
      expect(await response.json()).toMatchObject({ code: 'missing_event_id' })
      expect(app.seen).toEqual([undefined])
    })

    test('after koa-bodyparser, verifies the raw text it kept on ctx.request.rawBody', async () => {
      const parsed: unknown[] = []
      const app = await setup(Koa, [
        bodyParser(),
        async (ctx, next) => {
          parsed.push(ctx.request.body)
          await next()
        },
      ])
      const response = await post(app.url, 'msg_k2', body)
      expect(response.status).toBe(202)
      expect(parsed).toEqual([JSON.parse(body)])
      expect(new TextDecoder().decode(eventBody(app.enqueued[0]!))).toBe(body)
    })

    test('after koa-bodyparser skipped a type it does not parse, reads the exact bytes itself', async () => {
      const app = await setup(Koa, [bodyParser()])
      const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x80, 0x0a])
      const response = await post(app.url, 'msg_k3', bytes, 'application/octet-stream')
      expect(response.status).toBe(202)
      expect(Buffer.from(eventBody(app.enqueued[0]!))).toEqual(bytes)
    })

    test('uses a raw Buffer a parser left on ctx.request.body', async () => {
      const rawParser: Middleware = async (ctx, next) => {
        ctx.request.body = await buffer(ctx.req)
        await next()
      }
      const app = await setup(Koa, [rawParser])
      expect((await post(app.url, 'msg_k4', body)).status).toBe(202)
      expect(app.enqueued.map((e) => e.id)).toEqual(['msg_k4'])
    })

    test('answers 500 raw_body_unavailable, with the fix logged, after a parser that kept no raw body', async () => {
      const jsonOnly: Middleware = async (ctx, next) => {
        ctx.request.body = await json(ctx.req)
        await next()
      }
      const app = await setup(Koa, [jsonOnly])
      const response = await post(app.url, 'msg_k5', body)
      expect(response.status).toBe(500)
      expect(response.headers.get('content-type')).toBe('application/problem+json')
      expect(await response.json()).toMatchObject({ status: 500, code: 'raw_body_unavailable' })
      expect(app.enqueued).toEqual([])
      expect(app.errors).toEqual([expect.objectContaining({ code: 'raw_body_unavailable' })])
      expect((app.errors[0] as { detail: string }).detail).toMatch(/before any body parser.*rawBody/)
    })
  })
}
