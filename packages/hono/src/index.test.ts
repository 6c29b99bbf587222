import { readFileSync } from 'node:fs'
import { createGuard, type GuardOptions, standardWebhooks, type WebhookEvent } from '@hookguard/core'
import { Hono } from 'hono'
import { getConnInfo as cloudflareConnInfo } from 'hono/cloudflare-workers'
import { describe, expect, test } from 'vitest'
import { makeSecret, signedHeaders } from '../../core/test-support/sign.js'
import { type HookguardOptions, type HookguardVariables, hookguard } from './index.js'

const secret = makeSecret()
const body = JSON.stringify({ type: 'scan.completed', data: { scanId: 'abc' } })
const url = 'http://hooks.test/hooks/COMPLETED'

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

function signed(id: string, init: { headers?: Record<string, string>; body?: string } = {}): Request {
  const payload = init.body ?? body
  const headers = { ...signedHeaders(secret.key, { id, body: payload }), ...init.headers }
  return new Request(url, { method: 'POST', headers, body: payload })
}

// Only what is Hono's own: middleware around it, c.get('webhook'), next(), Hono's body cache, the platform's
// client address. What every adapter must do runs through both Hono targets in test/conformance.test.ts.
describe('hookguard on Hono', () => {
  test('answers 202, not 404, when middleware runs around it and no handler follows', async () => {
    const enqueued: WebhookEvent[] = []
    const seen: (WebhookEvent | undefined)[] = []
    const app = new Hono<{ Variables: HookguardVariables }>()
    app.use('*', async (c, next) => {
      await next()
      seen.push(c.get('webhook'))
    })
    app.post('/hooks/:status', hookguard(guardFor(enqueued)))
    const response = await app.request(signed('msg_h2'))
    expect(response.status).toBe(202)
    expect(seen).toEqual([enqueued[0]])
  })

  test('builds no not-found answer when nothing follows it, alone or after middleware', async () => {
    let notFound = 0
    for (const withMiddleware of [false, true]) {
      const app = new Hono()
      if (withMiddleware) app.use('*', (_c, next) => next())
      app.post('/hooks/:status', hookguard(guardFor([])))
      app.notFound((c) => {
        notFound += 1
        return c.text('not found', 404)
      })
      expect((await app.request(signed(`msg_nf_${withMiddleware}`))).status).toBe(202)
    }
    expect(notFound).toBe(0)
  })

  test("gives a later handler the accepted event through c.get('webhook'), and still answers 202", async () => {
    const enqueued: WebhookEvent[] = []
    const later: WebhookEvent[] = []
    const app = new Hono<{ Variables: HookguardVariables }>()
    app.post('/hooks/:status', hookguard(guardFor(enqueued)), (c) => {
      const event: WebhookEvent = c.get('webhook')
      later.push(event)
      return c.text('ignored', 200)
    })
    const response = await app.request(signed('msg_h3'))
    expect(response.status).toBe(202)
    expect(await response.json()).toEqual({ status: 202, code: 'accepted' })
    expect(later).toEqual(enqueued)
    expect(later.map((e) => e.id)).toEqual(['msg_h3'])
  })

  test('does not run later handlers for a rejected delivery', async () => {
    const later: unknown[] = []
    const app = new Hono<{ Variables: HookguardVariables }>()
    app.post('/hooks/:status', hookguard(guardFor([])), (c) => {
      later.push(c.get('webhook'))
      return c.text('should not run')
    })
    const tampered = new Request(signed('msg_h4'), { body: `${body} ` })
    const response = await app.request(tampered)
    expect(response.status).toBe(401)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
    expect(await response.json()).toMatchObject({ code: 'invalid_signature' })
    expect(later).toEqual([])
  })

  test('uses the raw bytes an earlier c.req.arrayBuffer() cached', async () => {
    const enqueued: WebhookEvent[] = []
    const app = new Hono()
    app.post('/hooks/:status', async (c, next) => {
      await c.req.arrayBuffer()
      await next()
    })
    app.post('/hooks/:status', hookguard(guardFor(enqueued)))
    expect((await app.request(signed('msg_h5'))).status).toBe(202)
    expect(enqueued.map((e) => e.id)).toEqual(['msg_h5'])
  })

  test('uses the text an earlier c.req.json() cached', async () => {
    const enqueued: WebhookEvent[] = []
    const parsed: unknown[] = []
    const app = new Hono()
    app.post('/hooks/:status', async (c, next) => {
      parsed.push(await c.req.json())
      await next()
    })
    app.post('/hooks/:status', hookguard(guardFor(enqueued)))
    expect((await app.request(signed('msg_h6'))).status).toBe(202)
    expect(parsed).toEqual([JSON.parse(body)])
    expect(enqueued.map((e) => e.id)).toEqual(['msg_h6'])
  })

  test('answers 500 raw_body_unavailable, with the fix logged, after the raw Request body was read', async () => {
    const enqueued: WebhookEvent[] = []
    const logged: object[] = []
    const logger = { info: () => {}, warn: () => {}, error: (record: object) => logged.push(record) }
    const app = new Hono()
    app.post('/hooks/:status', async (c, next) => {
      await c.req.raw.json()
      await next()
    })
    app.post('/hooks/:status', hookguard(guardFor(enqueued, { logger })))
    const response = await app.request(signed('msg_h7'))
    expect(response.status).toBe(500)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
    expect(await response.json()).toMatchObject({ code: 'raw_body_unavailable' })
    expect(enqueued).toEqual([])
    expect(logged).toEqual([expect.objectContaining({ code: 'raw_body_unavailable' })])
    expect((logged[0] as { detail: string }).detail).toMatch(/mount hookguard first/)
  })

  describe('client address', () => {
    const allowIps = ['203.0.113.0/24']
    async function status(request: Request, env?: object, options?: HookguardOptions): Promise<number> {
      const app = new Hono()
      app.post('/hooks/:status', hookguard(guardFor([], { allowIps }), options))
      return (await app.request(request, undefined, env)).status
    }

    test('is unknown without a platform that reports it, so an allowlist rejects', async () => {
      expect(await status(signed('msg_a1'))).toBe(403)
    })

    test('is the Node socket address on @hono/node-server', async () => {
      const incoming = { socket: { remoteAddress: '::ffff:203.0.113.5' } }
      expect(await status(signed('msg_a2'), { incoming })).toBe(202)
      const outside = { socket: { remoteAddress: '198.51.100.5' } }
      expect(await status(signed('msg_a3'), { incoming: outside })).toBe(403)
    })

    test("ignores cf-connecting-ip unless the app passes Cloudflare's own getConnInfo", async () => {
      const headers = { 'cf-connecting-ip': '203.0.113.5' }
      expect(await status(signed('msg_a4', { headers }))).toBe(403)
      expect(await status(signed('msg_a5', { headers }), undefined, { getConnInfo: cloudflareConnInfo })).toBe(202)
    })

    test('comes from the getConnInfo option when given', async () => {
      expect(
        await status(signed('msg_a6'), undefined, { getConnInfo: () => ({ remote: { address: '203.0.113.77' } }) }),
      ).toBe(202)
      expect(() => hookguard(guardFor([]), { getConnInfo: 'x' as never })).toThrow(TypeError)
    })
  })

  test('imports nothing Node-only, so it runs on Workers', () => {
    const source = readFileSync(new URL('./index.ts', import.meta.url), 'utf8')
    const imports = new Set([...source.matchAll(/^import .* from '([^']+)'$/gm)].map((m) => m[1]))
    const portable = new Set(['@hookguard/core', '@hookguard/core/adapter', 'hono', 'hono/conninfo'])
    expect([...imports].filter((name) => !portable.has(name as string))).toEqual([])
    expect(imports.has('hono')).toBe(true)
  })
})
