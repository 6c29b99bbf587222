import type { Guard, WebhookEvent } from '@hookguard/core'
import { fromNodeRequest, unwritableReason } from '@hookguard/core/adapter'
import type { Middleware, ParameterizedContext } from 'koa'

const rawBodyHint =
  'the body was consumed by a parser before hookguard: mount hookguard before any body parser, ' +
  'or use koa-bodyparser, which keeps the raw text on ctx.request.rawBody'

/** What hookguard puts on `ctx.state`: the accepted event, for the middleware around it. */
export interface HookguardState {
  webhook?: WebhookEvent
}

/** The parts of a Koa context hookguard reads beyond Koa's own: router params, a body parser's leftovers. */
type RoutedContext = ParameterizedContext<HookguardState> & {
  params?: Record<string, string>
  request: { rawBody?: unknown; body?: unknown }
}

/** The raw body a body parser left behind: its raw text, or a raw `Buffer` body; nothing else. */
function bodyParserLeftover(request: RoutedContext['request']): string | Uint8Array | undefined {
  if (typeof request.rawBody === 'string') return request.rawBody
  return request.body instanceof Uint8Array ? request.body : undefined
}

/**
 * Koa 2 and 3 middleware that verifies, deduplicates and enqueues a webhook,
 * then answers with the verdict. Mount it before any body parser; after
 * `koa-bodyparser` it uses `ctx.request.rawBody`. The accepted event is on
 * `ctx.state.webhook`, for middleware that runs around it. When an earlier
 * middleware has answered already (a response timeout), it sets nothing on
 * the response and logs the verdict it could not send.
 *
 * @example
 * ```ts
 * import Router from '@koa/router'
 * import Koa from 'koa'
 * import { createGuard, standardWebhooks } from '@hookguard/core'
 * import { hookguard } from '@hookguard/koa'
 *
 * const guard = createGuard({
 *   verify: [standardWebhooks({ secret: process.env.WEBHOOK_SECRET! })],
 *   enqueue: async (event) => console.log('event', event.id, event.type),
 *   eventType: { param: 'status' },
 * })
 * const router = new Router()
 * router.post('/hooks/:status', hookguard(guard))
 * new Koa().use(router.routes()).listen(3000)
 * ```
 */
export function hookguard(guard: Guard): Middleware<HookguardState> {
  return async function hookguardMiddleware(context: ParameterizedContext<HookguardState>): Promise<void> {
    const ctx = context as RoutedContext
    // The path comes from ctx.req.url, as ctx.path does, without parsing the URL again.
    const request = fromNodeRequest(ctx.req, {
      params: ctx.params,
      leftoverBody: () => bodyParserLeftover(ctx.request),
      rawBodyHint,
    })
    const verdict = await guard.process(request)
    if (verdict.event) ctx.state.webhook = verdict.event
    // Koa would drop the status and headers silently once the response has gone out.
    const unwritable = unwritableReason(ctx.res)
    if (unwritable !== undefined) {
      guard.reportUnwritten({ reason: unwritable, verdict })
      return
    }
    ctx.status = verdict.status
    ctx.set(verdict.headers)
    ctx.body = verdict.body
  }
}
