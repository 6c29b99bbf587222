import type { Guard } from '@hookguard/core'
import { fromNodeRequest, unwritableReason } from '@hookguard/core/adapter'
import type { FastifyInstance, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify'

const rawBodyHint =
  'the body was read before hookguard: register hookguard as its own plugin (app.register(hookguard, …)), ' +
  'not wrapped in fastify-plugin, and read no body in an onRequest or preParsing hook on its routes'

/** Options for {@link hookguard}. */
export interface HookguardPluginOptions {
  /** The guard from `createGuard`; every webhook option lives there. */
  guard: Guard
  /**
   * The route or routes hookguard serves, in Fastify's syntax (`/hooks/:status`), under the plugin's `prefix`.
   * Every method is routed to the guard, which answers 405 with `Allow` for those it does not accept.
   */
  url: string | readonly string[]
}

/**
 * A Fastify 5 plugin that serves webhook routes: it verifies, deduplicates
 * and enqueues each delivery, then answers. For its own routes only, it
 * replaces Fastify's body parsers with one that leaves the request stream
 * unread, so the guard reads the raw bytes itself; the rest of the app keeps
 * Fastify's JSON parsing. When an earlier hook has answered already (a
 * response timeout), it writes nothing and logs the verdict it could not send.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify'
 * import { createGuard, standardWebhooks } from '@hookguard/core'
 * import { hookguard } from '@hookguard/fastify'
 *
 * const guard = createGuard({
 *   verify: [standardWebhooks({ secret: process.env.WEBHOOK_SECRET! })],
 *   enqueue: async (event) => console.log('event', event.id, event.type),
 *   eventType: { param: 'status' },
 * })
 * const app = Fastify()
 * app.register(hookguard, { guard, url: '/hooks/:status' })
 * await app.listen({ port: 3000 })
 * ```
 */
export const hookguard: FastifyPluginCallback<HookguardPluginOptions> = function hookguardPlugin(
  instance: FastifyInstance,
  options: HookguardPluginOptions,
  done: (error?: Error) => void,
): void {
  const { guard, url } = options
  // Fastify fails `app.ready()` / `listen()` with an error handed to `done`; one thrown here would escape.
  const error = optionError(options)
  if (error !== undefined) {
    done(error)
    return
  }
  // A plugin has its own context: these parsers apply to hookguard's routes only.
  instance.removeAllContentTypeParsers()
  instance.addContentTypeParser('*', leaveStreamUnread)
  const handler = hookguardHandler(guard)
  for (const path of typeof url === 'string' ? [url] : url) instance.all(path, handler)
  done()
}

/** What is wrong with the options, as the TypeError naming the option, or `undefined`. */
function optionError(options: HookguardPluginOptions): TypeError | undefined {
  if (typeof options.guard?.process !== 'function')
    return new TypeError('hookguard: guard must be a guard from createGuard')
  const urls: readonly unknown[] =
    typeof options.url === 'string' ? [options.url] : Array.isArray(options.url) ? options.url : []
  if (urls.length === 0 || urls.some((u) => typeof u !== 'string')) {
    return new TypeError('hookguard: url must be a route path or a non-empty array of them')
  }
  return undefined
}

/** Fastify's documented catch-all parser, here reading nothing: the guard reads `request.raw` with its own limits. */
function leaveStreamUnread(_request: FastifyRequest, _payload: unknown, done: (error: Error | null) => void): void {
  done(null)
}

function hookguardHandler(guard: Guard) {
  return async function hookguardMiddleware(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const webhookRequest = fromNodeRequest(request.raw, {
      params: request.params as Record<string, string>,
      // A Buffer or string some other parser left; hookguard's own leaves none.
      leftoverBody: () => request.body,
      rawBodyHint,
    })
    const verdict = await guard.process(webhookRequest).catch((error: unknown) => {
      // The guard never rejects; should it, Fastify's error handler answers, unless something already has.
      const reason = unwritableReason(reply.raw)
      if (reason === undefined) throw error
      guard.reportUnwritten({ reason, error })
    })
    if (verdict === undefined) return reply
    // Fastify would log a second send and drop it: say which verdict was lost instead.
    const unwritable = unwritableReason(reply.raw)
    if (unwritable !== undefined) {
      guard.reportUnwritten({ reason: unwritable, verdict })
      return reply
    }
    // As bytes: Fastify adds `; charset=utf-8` to a JSON string's type, and the verdict's headers are the answer's.
    return reply.code(verdict.status).headers(verdict.headers).send(Buffer.from(verdict.body))
  }
}
