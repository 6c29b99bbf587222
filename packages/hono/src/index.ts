import type { Guard, WebhookEvent } from '@hookguard/core'
import type { NodeIncomingLike, NodeResponseState } from '@hookguard/core/adapter'
import { fromNodeRequest, fromWebRequest, toResponse, unwritableReason } from '@hookguard/core/adapter'
import type { Context, MiddlewareHandler } from 'hono'
import type { ConnInfo, GetConnInfo } from 'hono/conninfo'

const rawBodyHint =
  'the body was read from c.req.raw before hookguard: mount hookguard first, ' +
  'or read it earlier through c.req.text() or c.req.arrayBuffer(), which Hono caches'

/** The variables hookguard sets: `c.get('webhook')` is the accepted event. */
export type HookguardVariables = { webhook: WebhookEvent }

/** Options for {@link hookguard}. */
export interface HookguardOptions {
  /**
   * Hono's own connection-info helper for your runtime, for `allowIps` and
   * the event's `sourceIp`: `getConnInfo` from `hono/cloudflare-workers`,
   * `hono/deno`, `hono/bun` or `@hono/node-server/conninfo`. Default: the
   * socket address on `@hono/node-server`; elsewhere unknown (so `allowIps`
   * refuses everything until you pass it).
   */
  getConnInfo?: GetConnInfo
}

/** What `@hono/node-server` hands to `fetch` as its second argument (Hono's `c.env`). */
interface NodeServerEnv {
  incoming?: { socket?: { remoteAddress?: string }; readableEnded?: boolean; on?: unknown }
  outgoing?: NodeResponseState
}

/** The default: the socket's address on `@hono/node-server`, nothing elsewhere. */
function nodeServerConnInfo(c: Context): ConnInfo {
  return { remote: { address: (c.env as NodeServerEnv | undefined)?.incoming?.socket?.remoteAddress } }
}

/**
 * Hono middleware that verifies, deduplicates and enqueues a webhook, then
 * answers with the verdict. Runs on Node (`@hono/node-server`) and on
 * Web-standard runtimes. Once an event is accepted, handlers after it run with
 * `c.get('webhook')` (keep them quick); the sender still gets the `202` unless
 * they assign `c.res`.
 *
 * @example
 * ```ts
 * import { serve } from '@hono/node-server'
 * import { Hono } from 'hono'
 * import { createGuard, standardWebhooks } from '@hookguard/core'
 * import { type HookguardVariables, hookguard } from '@hookguard/hono'
 *
 * const guard = createGuard({
 *   verify: [standardWebhooks({ secret: process.env.WEBHOOK_SECRET! })],
 *   enqueue: async (event) => console.log('event', event.id, event.type),
 *   eventType: { param: 'status' },
 * })
 * const app = new Hono<{ Variables: HookguardVariables }>()
 * app.post('/hooks/:status', hookguard(guard))
 * serve({ fetch: app.fetch, port: 3000 })
 * ```
 */
export function hookguard(
  guard: Guard,
  options: HookguardOptions = {},
): MiddlewareHandler<{ Variables: HookguardVariables }> {
  const getConnInfo = options.getConnInfo ?? nodeServerConnInfo
  if (typeof getConnInfo !== 'function') throw new TypeError('hookguard: getConnInfo must be a function')

  return async function hookguardMiddleware(c, next) {
    const env = c.env as NodeServerEnv | undefined
    // On @hono/node-server the Node request is at hand: reading it directly skips building a Web Request.
    const incoming = env?.incoming
    const request =
      typeof incoming?.on === 'function' && !c.req.raw.bodyUsed && !incoming.readableEnded
        ? fromNodeRequest(incoming as NodeIncomingLike, { params: c.req.param(), path: c.req.path, rawBodyHint })
        : fromWebRequest(c.req.raw, { params: c.req.param() })
    request.remoteAddress = getConnInfo(c).remote.address
    if (c.req.raw.bodyUsed) {
      // Hono caches the promise of what an earlier `c.req.arrayBuffer()` or `c.req.text()` read.
      const cache = c.req.bodyCache
      const raw: unknown = await Promise.resolve(cache.arrayBuffer ?? cache.text).catch(() => undefined)
      const cached = raw instanceof ArrayBuffer ? new Uint8Array(raw) : typeof raw === 'string' ? raw : undefined
      request.body = cached
      request.bodyUnavailable = cached === undefined ? rawBodyHint : undefined
    }
    const verdict = await guard.process(request)
    // On @hono/node-server an earlier middleware (hono/timeout, say) may have answered: Hono drops this one silently.
    const unwritable = env?.outgoing && unwritableReason(env.outgoing)
    if (unwritable) guard.reportUnwritten({ reason: unwritable, verdict })
    const response = toResponse(verdict)
    if (!verdict.event) return response
    c.set('webhook', verdict.event)
    // Settle the answer first: no not-found when nothing follows, and a later handler's return value cannot replace it.
    c.res = response
    // Only later handlers need next(); when this handler is the last, next() would just build a 404 to discard.
    if (c.req.routeIndex < c.req.matchedRoutes.length - 1) await next()
    return response
  }
}
