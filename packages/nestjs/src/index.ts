import type { Guard } from '@hookguard/core'
import {
  fromNodeRequest,
  type NodeIncomingLike,
  type NodeResponseLike,
  unwritableReason,
  writeVerdict,
} from '@hookguard/core/adapter'
import { type DynamicModule, Inject, Injectable, Module } from '@nestjs/common'

export { exceptPaths, type NodeMiddleware } from './except-paths.js'

// Decorators are applied as plain calls below, so this package needs no `experimentalDecorators` to build, and
// injection names its token explicitly (no `emitDecoratorMetadata`).

const rawBodyHint =
  "Nest's body parser read the body and kept no raw copy: keep it off the webhook routes (create the app with " +
  "{ bodyParser: false }, then app.use(exceptPaths(['/hooks'], express.json(), …))), or create it with " +
  '{ rawBody: true }, and mount no other body parser before the webhook route'

/** The request a Nest route handler gets with `@Req()`: Express's, or Fastify's (the Node request is `.raw`). */
export interface NestRequestLike {
  /** Route parameters (`:status`). */
  params?: unknown
  /** The bytes Nest's body parser read, kept when the app was created with `{ rawBody: true }`. */
  rawBody?: unknown
  /** What the body parser made of the body (on Fastify, text/plain stays the raw text). */
  body?: unknown
  /** On Fastify: the Node.js request. */
  raw?: NodeIncomingLike
}

/** The response a Nest route handler gets with `@Res()`: Express's, or Fastify's reply (the Node response is `.raw`). */
export interface NestResponseLike {
  /** On Fastify: the Node.js response. */
  raw?: NodeResponseLike
}

/** The injection token of the guard {@link HookguardModule.forRoot} provides. */
export const HOOKGUARD_GUARD = Symbol.for('@hookguard/nestjs:guard')

/** Options for {@link HookguardModule.forRoot}. */
export interface HookguardModuleOptions {
  /** The guard from `createGuard`; every webhook option lives there. */
  guard: Guard
  /** Make {@link HookguardService} injectable in every module without importing this one (default `false`). */
  global?: boolean
}

/**
 * Runs one delivery through the guard and answers it, on `@nestjs/platform-express` or
 * `@nestjs/platform-fastify`. The body is the unread stream, which the guard reads with its own limit and timeouts
 * (keep Nest's parser off the webhook routes: {@link exceptPaths}); should a parser have read it, the raw bytes
 * Nest kept with `{ rawBody: true }`. When something answered
 * already (a timeout interceptor), it writes nothing and logs the verdict it could not send. Call it from a route
 * that takes `@Res()`, so Nest leaves the answer to it.
 *
 * @example
 * ```ts
 * @All(['', ':status'])
 * receive(@Req() req: Request, @Res() res: Response) {
 *   return handleWebhook(guard, req, res)
 * }
 * ```
 */
export async function handleWebhook(guard: Guard, req: NestRequestLike, res: NestResponseLike): Promise<void> {
  const incoming = (req.raw ?? req) as NodeIncomingLike
  const outgoing = (res.raw ?? res) as NodeResponseLike
  const request = fromNodeRequest(incoming, {
    params: (req.params ?? undefined) as Record<string, string> | undefined,
    // Nest's raw copy (JSON, forms); on Fastify, the text its own text/plain parser left.
    leftoverBody: () => req.rawBody ?? req.body,
    rawBodyHint,
  })
  // Fastify's parsers keep the bytes as they came (Express's inflate them): a Content-Encoding still applies.
  if (req.raw !== undefined) request.bodyDecoded = false
  let verdict: Awaited<ReturnType<Guard['process']>>
  try {
    verdict = await guard.process(request)
  } catch (error) {
    // The guard never rejects; should it, Nest's exception filter answers, unless something already has.
    const reason = unwritableReason(outgoing)
    if (reason === undefined) throw error
    guard.reportUnwritten({ reason, error })
    return
  }
  writeVerdict(guard, outgoing, verdict)
}

/**
 * The guard of {@link HookguardModule.forRoot}, for a controller: `handle(req, res)` answers a delivery.
 *
 * @example
 * ```ts
 * @Controller('hooks')
 * class HooksController {
 *   constructor(@Inject(HookguardService) private readonly hookguard: HookguardService) {}
 *
 *   @All(['', ':status'])
 *   receive(@Req() req: Request, @Res() res: Response) {
 *     return this.hookguard.handle(req, res)
 *   }
 * }
 * ```
 */
export class HookguardService {
  constructor(readonly guard: Guard) {}

  /** {@link handleWebhook} with this service's guard. */
  handle(req: NestRequestLike, res: NestResponseLike): Promise<void> {
    return handleWebhook(this.guard, req, res)
  }
}
Injectable()(HookguardService)
Inject(HOOKGUARD_GUARD)(HookguardService, undefined, 0)

/**
 * A Nest module providing {@link HookguardService} (and the guard itself, as {@link HOOKGUARD_GUARD}).
 *
 * @example
 * ```ts
 * @Module({ imports: [HookguardModule.forRoot({ guard })], controllers: [HooksController] })
 * class AppModule {}
 *
 * const app = await NestFactory.create(AppModule, { bodyParser: false })
 * app.use(exceptPaths(['/hooks'], express.json(), express.urlencoded({ extended: true })))
 * ```
 */
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest module is a class, configured by a static forRoot
export class HookguardModule {
  static forRoot(options: HookguardModuleOptions): DynamicModule {
    if (typeof options?.guard?.process !== 'function')
      throw new TypeError('HookguardModule.forRoot: guard must be a guard from createGuard')
    return {
      module: HookguardModule,
      global: options.global === true,
      providers: [{ provide: HOOKGUARD_GUARD, useValue: options.guard }, HookguardService],
      exports: [HOOKGUARD_GUARD, HookguardService],
    }
  }
}
Module({})(HookguardModule)
