import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createGuard, type GuardOptions, standardWebhooks, type WebhookEvent } from '@hookguard/core'
import { afterEach, describe, expect, test } from 'vitest'
import { makeSecret, signedHeaders } from '../../core/test-support/sign.js'
import { webhookApiRoute, webhookRoute } from './index.js'

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

function signed(id: string) {
  return { 'content-type': 'application/json', ...signedHeaders(secret.key, { id, body }) }
}

// App Router: Next.js calls the exported method with the Web Request and `{ params }`, a Promise since Next 15.
describe('webhookRoute (App Router route handler)', () => {
  test("awaits the route's params and answers through guard.handle", async () => {
    const enqueued: WebhookEvent[] = []
    const POST = webhookRoute(guardFor(enqueued))
    const request = new Request('https://app.example/api/hooks/DONE', {
      method: 'POST',
      headers: signed('msg_a1'),
      body,
    })
    const response = await POST(request, { params: Promise.resolve({ status: 'DONE' }) })
    expect(response.status).toBe(202)
    expect(enqueued.map((e) => [e.id, e.type, e.payload])).toEqual([['msg_a1', 'DONE', JSON.parse(body)]])

    const again = new Request('https://app.example/api/hooks/DONE', { method: 'POST', headers: signed('msg_a1'), body })
    expect((await POST(again, { params: Promise.resolve({ status: 'DONE' }) })).status).toBe(200)
  })

  test('a catch-all segment is joined with /; a route with no params and a wrong signature is 401', async () => {
    const enqueued: WebhookEvent[] = []
    const POST = webhookRoute(guardFor(enqueued, { eventType: { param: 'path' } }))
    const make = (id: string, headers = signed(id)) =>
      new Request('https://app.example/api/hooks/a/b', { method: 'POST', headers, body })
    expect((await POST(make('msg_a2'), { params: Promise.resolve({ path: ['a', 'b'] }) })).status).toBe(202)
    expect(enqueued.map((e) => e.type)).toEqual(['a/b'])
    const forged = { ...signed('msg_a3'), 'webhook-signature': 'v1,AAAA' }
    expect((await POST(make('msg_a3', forged), { params: Promise.resolve({}) })).status).toBe(401)
  })

  test("remoteAddress reads the platform's header, for allowIps", async () => {
    const guard = guardFor([], { allowIps: ['203.0.113.7'] })
    const POST = webhookRoute(guard, { remoteAddress: (request) => request.headers.get('x-real-ip') ?? undefined })
    const from = (ip: string, id: string) =>
      POST(
        new Request('https://app.example/api/hooks', {
          method: 'POST',
          headers: { ...signed(id), 'x-real-ip': ip },
          body,
        }),
        { params: Promise.resolve({}) },
      )
    expect((await from('203.0.113.7', 'msg_a4')).status).toBe(202)
    expect((await from('198.51.100.1', 'msg_a5')).status).toBe(403)
  })

  test('options are checked when the handler is made', () => {
    expect(() => webhookRoute({} as never)).toThrow('webhookRoute: guard must be a guard from createGuard')
    expect(() => webhookRoute(guardFor([]), { remoteAddress: 'x' as never })).toThrow(
      'webhookRoute: remoteAddress must be a function of the request',
    )
  })
})

// Pages Router: Next.js calls the default export with Node's request (dynamic segments merged into `req.query`)
// and response; with `bodyParser: false` the stream is unread. A real node:http server stands in for Next's.
describe('webhookApiRoute (Pages Router API route)', () => {
  let server: Server | undefined
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined))
    server = undefined
  })

  /** Serves `handler` as Next does `pages/api/hooks/[status].ts`, its own body parser on or off. */
  async function serve(
    handler: (req: IncomingMessage & { query?: Record<string, string> }, res: ServerResponse) => Promise<void>,
    bodyParser: boolean,
  ): Promise<string> {
    server = createServer(async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost')
      const status = /^\/api\/hooks\/([^/]+)$/.exec(url.pathname)?.[1]
      const query = { ...Object.fromEntries(url.searchParams), ...(status && { status }) }
      const apiRequest = Object.assign(req, { query })
      if (bodyParser) {
        // What Next's API body parser does when left on: read the stream, parse JSON into req.body.
        let text = ''
        for await (const chunk of req) text += chunk
        Object.assign(apiRequest, { body: JSON.parse(text) })
      }
      await handler(apiRequest, res)
    })
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }

  test('with bodyParser: false, takes the named segment from req.query and reads the raw body', async () => {
    const enqueued: WebhookEvent[] = []
    const url = await serve(webhookApiRoute(guardFor(enqueued), { params: ['status'] }), false)
    const reply = await fetch(`${url}/api/hooks/DONE?status=SPOOFED`, {
      method: 'POST',
      headers: signed('msg_p1'),
      body,
    })
    expect([reply.status, reply.headers.get('content-type')]).toEqual([202, 'application/json'])
    expect(enqueued.map((e) => [e.id, e.type, e.payload])).toEqual([['msg_p1', 'DONE', JSON.parse(body)]])
  })

  test('a query parameter is not a param unless named', async () => {
    const enqueued: WebhookEvent[] = []
    const url = await serve(webhookApiRoute(guardFor(enqueued)), false)
    const reply = await fetch(`${url}/api/hooks/DONE`, { method: 'POST', headers: signed('msg_p2'), body })
    expect(reply.status).toBe(202)
    expect(enqueued.map((e) => e.type)).toEqual(['scan.completed'])
  })

  test("with Next's body parser left on: 500 raw_body_unavailable, the fix in the log", async () => {
    const enqueued: WebhookEvent[] = []
    const logged: Record<string, unknown>[] = []
    const logger = { info() {}, warn() {}, error: (record: object) => logged.push(record as Record<string, unknown>) }
    const url = await serve(webhookApiRoute(guardFor(enqueued, { logger }), { params: ['status'] }), true)
    const reply = await fetch(`${url}/api/hooks/DONE`, { method: 'POST', headers: signed('msg_p3'), body })
    expect([reply.status, (await reply.json()).code]).toEqual([500, 'raw_body_unavailable'])
    expect(String(logged[0]?.detail)).toContain('bodyParser: false')
    expect(enqueued).toHaveLength(0)
  })

  test('options are checked when the handler is made', () => {
    expect(() => webhookApiRoute({} as never)).toThrow('webhookApiRoute: guard must be a guard from createGuard')
    expect(() => webhookApiRoute(guardFor([]), { params: 'status' as never })).toThrow(
      'webhookApiRoute: params must be an array of segment names',
    )
  })
})
