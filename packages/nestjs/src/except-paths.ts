/** A Node-style (Express, Connect) middleware, as `express.json()` is and Nest's `app.use` takes. */
export type NodeMiddleware<Req extends { url?: string }, Res> = (
  req: Req,
  res: Res,
  next: (error?: unknown) => void,
) => void

/**
 * Runs `middleware` in order for every request except those to `paths` (a path and everything under it, any
 * case, as Express routes them). For the Express platform, created with `{ bodyParser: false }`: the rest of the
 * app gets Nest's JSON and form parsing back, and the webhook routes get the unread body, which hookguard reads
 * with its own limit and timeouts, after it has checked the credentials.
 *
 * @example
 * ```ts
 * import express from 'express'
 *
 * const app = await NestFactory.create(AppModule, { bodyParser: false })
 * app.use(exceptPaths(['/hooks'], express.json(), express.urlencoded({ extended: true })))
 * ```
 */
export function exceptPaths<Req extends { url?: string }, Res>(
  paths: readonly string[],
  ...middleware: NodeMiddleware<Req, Res>[]
): NodeMiddleware<Req, Res> {
  if (!Array.isArray(paths) || paths.length === 0 || paths.some((p) => typeof p !== 'string' || !p.startsWith('/')))
    throw new TypeError('exceptPaths: paths must be a non-empty array of paths starting with /')
  if (middleware.some((m) => typeof m !== 'function'))
    throw new TypeError('exceptPaths: middleware must be functions, such as express.json()')
  const prefixes = paths.map((p) => p.replace(/\/+$/, '').toLowerCase())
  const skipped = (url: string): boolean => {
    const path = (url.split('?', 1)[0] ?? '').toLowerCase()
    return prefixes.some((p) => path === p || path.startsWith(`${p}/`))
  }
  return function exceptPathsMiddleware(req, res, next) {
    // Express's `req.url` is relative to where the middleware is mounted; `originalUrl` is the whole path.
    const { originalUrl } = req as { originalUrl?: unknown }
    if (skipped(typeof originalUrl === 'string' ? originalUrl : (req.url ?? ''))) {
      next()
      return
    }
    let index = 0
    const step = (error?: unknown): void => {
      const current = middleware[index++]
      if (error !== undefined || current === undefined) next(error)
      else current(req, res, step)
    }
    step()
  }
}
