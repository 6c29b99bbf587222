import type { Guard } from '@hookguard/core'
import {
  fromNodeRequest,
  type NodeIncomingLike,
  type NodeResponseLike,
  unwritableReason,
  writeVerdict,
} from '@hookguard/core/adapter'

/** A dynamic segment's value: `[status]` gives a string, `[...path]` an array of them. */
type SegmentValue = string | readonly string[] | undefined

/** What Next.js passes an App Router route handler as its second argument: `params`, a Promise since Next 15. */
export interface RouteContext {
  params: Promise<Readonly<Record<string, SegmentValue>>>
}

/** Options for {@link webhookRoute}. */
export interface WebhookRouteOptions {
  /**
   * The client's address, for `allowIps`: Next.js gives a route handler none of its own, so read the header your
   * platform sets and guarantees (Vercel's `x-real-ip`). Left out, the guard has no address (fine without
   * `allowIps`).
   */
  remoteAddress?: (request: Request) => string | undefined
}

/** The route's params as the guard takes them: a catch-all segment (`[...path]`) joined with `/`. */
function flatParams(params: Readonly<Record<string, SegmentValue>> | undefined): Record<string, string> {
  const flat: Record<string, string> = {}
  for (const [name, value] of Object.entries(params ?? {})) {
    if (typeof value === 'string') flat[name] = value
    else if (Array.isArray(value)) flat[name] = value.join('/')
  }
  return flat
}

/**
 * An App Router route handler (`app/…/route.ts`) serving one guard: it awaits the route's `params` (a Promise
 * since Next.js 15) and hands the Web `Request` to `guard.handle`, which reads the raw body itself. Export it
 * under each method the guard accepts; the guard answers 405 for the others you export it as.
 *
 * @example
 * ```ts
 * // app/api/hooks/[status]/route.ts
 * import { webhookRoute } from '@hookguard/next'
 * import { guard } from '@/lib/guard'
 *
 * export const POST = webhookRoute(guard)
 * ```
 */
export function webhookRoute(
  guard: Guard,
  options: WebhookRouteOptions = {},
): (request: Request, context: RouteContext) => Promise<Response> {
  if (typeof guard?.handle !== 'function') throw new TypeError('webhookRoute: guard must be a guard from createGuard')
  const { remoteAddress } = options
  if (remoteAddress !== undefined && typeof remoteAddress !== 'function')
    throw new TypeError('webhookRoute: remoteAddress must be a function of the request')
  // (Next.js's type check wants the context parameter required; a route with no segments still gets one.)
  return async function webhookRouteHandler(request: Request, context: RouteContext): Promise<Response> {
    const params = flatParams(await context?.params)
    return guard.handle(request, { params, remoteAddress: remoteAddress?.(request) })
  }
}

/** A Pages Router API request: Node's `IncomingMessage` with Next.js's `query` (dynamic segments included). */
export interface ApiRequestLike extends NodeIncomingLike {
  query?: Readonly<Record<string, string | string[] | undefined>>
}

/** Options for {@link webhookApiRoute}. */
export interface WebhookApiRouteOptions {
  /**
   * The names of the route's dynamic segments to hand the guard as params (`['status']` for
   * `pages/api/hooks/[status].ts`). Next.js puts them in `req.query` beside the query string, so only the names
   * given here are taken.
   */
  params?: readonly string[]
}

const pagesRawBodyHint =
  "Next.js's body parser read the body: export const config = { api: { bodyParser: false } } from the API route"

/**
 * A Pages Router API route (`pages/api/…`) serving one guard through the Node request, which the guard reads
 * itself: the route must turn Next.js's body parser off (`export const config = { api: { bodyParser: false } }`),
 * or the raw bytes are gone and the guard answers 500 `raw_body_unavailable`. When the response has started
 * already, it writes nothing and logs the verdict it could not send.
 *
 * @example
 * ```ts
 * // pages/api/hooks/[status].ts
 * import { webhookApiRoute } from '@hookguard/next'
 * import { guard } from '../../../lib/guard'
 *
 * export const config = { api: { bodyParser: false } }
 * export default webhookApiRoute(guard, { params: ['status'] })
 * ```
 */
export function webhookApiRoute(
  guard: Guard,
  options: WebhookApiRouteOptions = {},
): (req: ApiRequestLike, res: NodeResponseLike) => Promise<void> {
  if (typeof guard?.process !== 'function')
    throw new TypeError('webhookApiRoute: guard must be a guard from createGuard')
  const names = options.params ?? []
  if (!Array.isArray(names) || names.some((name) => typeof name !== 'string'))
    throw new TypeError('webhookApiRoute: params must be an array of segment names')
  return async function webhookApiHandler(req: ApiRequestLike, res: NodeResponseLike): Promise<void> {
    const params = flatParams(Object.fromEntries(names.map((name) => [name, req.query?.[name]])))
    // What Next.js's parser left is text at best, decoded from bytes hookguard must see as sent: never used.
    const request = fromNodeRequest(req, { params, rawBodyHint: pagesRawBodyHint })
    let verdict: Awaited<ReturnType<Guard['process']>>
    try {
      verdict = await guard.process(request)
    } catch (error) {
      // The guard never rejects; should it, Next.js answers 500, unless something already has.
      const reason = unwritableReason(res)
      if (reason === undefined) throw error
      guard.reportUnwritten({ reason, error })
      return
    }
    writeVerdict(guard, res, verdict)
  }
}
