import type { Guard } from '@hookguard/core'
import { fromNodeRequest, unwritableReason, writeVerdict } from '@hookguard/core/adapter'
import type { NextFunction, Request, RequestHandler, Response } from 'express'

const rawBodyHint =
  'the body was consumed by a parser before hookguard: mount hookguard before express.json(), ' +
  "or use express.raw({ type: '*/*' }) on the webhook route"

/**
 * Express 4 and 5 middleware that verifies, deduplicates and enqueues a
 * webhook, then answers. Mount it before any JSON body parser; after
 * `express.raw()` it uses the raw Buffer. When an earlier middleware has
 * answered already (a response timeout), it writes nothing and logs the
 * verdict it could not send.
 *
 * @example
 * ```ts
 * import express from 'express'
 * import { createGuard, standardWebhooks } from '@hookguard/core'
 * import { hookguard } from '@hookguard/express'
 *
 * const guard = createGuard({
 *   verify: [standardWebhooks({ secret: process.env.WEBHOOK_SECRET! })],
 *   enqueue: async (event) => console.log('event', event.id, event.type),
 *   eventType: { param: 'status' },
 * })
 * const app = express()
 * app.post('/hooks/:status', hookguard(guard))
 * app.listen(3000)
 * ```
 */
export function hookguard(guard: Guard): RequestHandler {
  return function hookguardMiddleware(req: Request, res: Response, next: NextFunction): void {
    // The path comes from req.url, as req.path does, without parsing the URL again.
    const request = fromNodeRequest(req, {
      params: req.params as Record<string, string>,
      leftoverBody: () => req.body,
      rawBodyHint,
    })
    guard.process(request).then(
      (verdict) => writeVerdict(guard, res, verdict),
      // The guard never rejects; should it, the app's error handler answers, unless something already has.
      (error: unknown) => {
        const reason = unwritableReason(res)
        if (reason === undefined) next(error)
        else guard.reportUnwritten({ reason, error })
      },
    )
  }
}
