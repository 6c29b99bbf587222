// A Cloudflare Worker: the Hono adapter and guard.handle on Web Crypto, bundled
// for workerd and run by miniflare in workerd.test.ts.
import { bearerToken, createGuard, jwt, standardWebhooks, type WebhookEvent } from '@hookguard/core'
import { type HookguardVariables, hookguard } from '@hookguard/hono'
import { Hono } from 'hono'

interface Env {
  WEBHOOK_SECRET: string
  BEARER_TOKEN: string
  JWT_SECRET: string
}

let app: Hono<{ Bindings: Env; Variables: HookguardVariables }> | undefined
const enqueued: WebhookEvent[] = []
const enqueue = (event: WebhookEvent) => {
  enqueued.push(event)
}

function build(env: Env) {
  const signed = createGuard({ verify: [standardWebhooks({ secret: env.WEBHOOK_SECRET })], enqueue })
  const bearer = createGuard({
    verify: [bearerToken({ tokens: env.BEARER_TOKEN })],
    enqueue,
    eventId: { header: 'x-delivery-id' },
  })
  const token = createGuard({
    verify: [jwt({ secret: env.JWT_SECRET, algorithms: ['HS256'], issuer: 'sender', audience: 'receiver' })],
    enqueue,
    eventId: { header: 'x-delivery-id' },
  })
  const hono = new Hono<{ Bindings: Env; Variables: HookguardVariables }>()
  hono.post('/hono/signed', hookguard(signed))
  hono.post('/hono/bearer', hookguard(bearer))
  hono.post('/hono/jwt', hookguard(token))
  hono.post('/core/signed', (c) => signed.handle(c.req.raw))
  hono.get('/enqueued', (c) =>
    c.json({
      ids: enqueued.map((e) => e.id),
      sourceIps: enqueued.map((e) => e.sourceIp),
      node: typeof (globalThis as { process?: unknown }).process,
    }),
  )
  return hono
}

export default {
  fetch(request: Request, env: Env, ctx: unknown) {
    app ??= build(env)
    return app.fetch(request, env, ctx as never)
  },
}
