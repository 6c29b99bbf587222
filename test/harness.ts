import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { type Http2Bindings, type HttpBindings, serve } from '@hono/node-server'
import { createGuard, type Guard, type GuardOptions, type WebhookEvent } from '@hookguard/core'
import { fromNodeRequest, writeVerdict } from '@hookguard/core/adapter'
import { hookguard as expressHookguard } from '@hookguard/express'
import { hookguard as fastifyHookguard } from '@hookguard/fastify'
import { hookguard as honoHookguard } from '@hookguard/hono'
import { hookguard as koaHookguard } from '@hookguard/koa'
import { exceptPaths, HOOKGUARD_GUARD, HookguardModule, HookguardService } from '@hookguard/nestjs'
import Router from '@koa/router'
import {
  All,
  type ArgumentsHost,
  Body,
  Controller,
  HttpException,
  type INestApplication,
  Inject,
  Module,
  Post,
  Req,
  Res,
} from '@nestjs/common'
import { BaseExceptionFilter, NestFactory } from '@nestjs/core'
import { ExpressAdapter } from '@nestjs/platform-express'
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify'
import express5, { type Request as ExpressRequest, type Response as ExpressResponse, type NextFunction } from 'express'
import Fastify from 'fastify'
import { type Context, Hono } from 'hono'
import type { ConnInfo } from 'hono/conninfo'
import { HTTPException } from 'hono/http-exception'
import { timeout } from 'hono/timeout'
import Koa3, { type Middleware as KoaMiddleware } from 'koa'
import koaBodyParser from 'koa-bodyparser'

// Koa 2 and Express 4 are installed under npm aliases and ship no types of their own.
const require = createRequire(import.meta.url)
const Koa2 = require('koa2') as typeof Koa3
const express4 = require('express4') as typeof express5

/** A target serving one guard on `127.0.0.1`, at `${url}` and `${url}/:status`. */
export interface StartedTarget {
  /** `http://127.0.0.1:<port>/hooks` */
  url: string
  /** The guard it serves (for `guard.invalidate`). */
  guard: Guard
  /** Events whose `enqueue` resolved, in order. */
  enqueued: WebhookEvent[]
  /** Errors the framework caught outside the guard (there should be none). */
  errors: unknown[]
  close(): Promise<void>
}

/** What runs before hookguard on a target, each framework its own way; a target without such a thing ignores it. */
export interface TargetSetup {
  /** A middleware before hookguard answers 503 {@link earlyAnswerBody} after this many ms (an app's timeout). */
  earlyAnswerMs?: number
  /** A middleware before hookguard adds `x-request-id` to the Node request's headers. */
  requestId?: boolean
  /** The framework's raw body parser runs first: `express.raw()`, `koa-bodyparser` (both inflate gzip). */
  bodyParser?: boolean
}

/** The body of the early answer of {@link TargetSetup.earlyAnswerMs}. */
export const earlyAnswerBody = 'answered before hookguard'

/** What sets a target apart, for the cases whose outcome depends on it. */
export interface TargetFacts {
  /** The adapter sees the Node response and reports through the guard's logger when it could not write its verdict. */
  reportsUnwritten: boolean
  /** The raw body parser {@link TargetSetup.bodyParser} mounts, or `undefined` where the framework has none. */
  bodyParser: string | undefined
  /**
   * The guard sees the request's headers through Web `Headers`, which join a repeated header into one
   * value with `, ` (`guard.handle`, and Hono when it reads the Web `Request`); Node keeps the lines apart.
   */
  joinsRepeatedHeaders: boolean
}

/** One way of serving a guard: an adapter on its framework, or the core on a Web `Request`. */
export interface Target extends TargetFacts {
  name: string
  start(options: GuardOptions, setup?: TargetSetup): Promise<StartedTarget>
}

const routes = ['/hooks', '/hooks/:status']

/** The guard, with `enqueue` wrapped to record the events it accepted. */
function recordingGuard(options: GuardOptions): { guard: Guard; enqueued: WebhookEvent[] } {
  const enqueued: WebhookEvent[] = []
  const guard = createGuard({
    ...options,
    enqueue: async (event) => {
      await options.enqueue(event)
      enqueued.push(event)
    },
  })
  return { guard, enqueued }
}

async function listen(server: Server): Promise<string> {
  if (!server.listening) {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => resolve())
    })
  }
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`
}

function closer(server: Server): () => Promise<void> {
  return () =>
    new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()))
      server.closeAllConnections()
    })
}

const requestId = 'req_from_middleware'

/** Express middleware that answers 503 after `ms`, as an app's own timeout does. */
function expressEarlyAnswer(ms: number) {
  return (_req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    const timer = setTimeout(() => res.status(503).type('text/plain').send(earlyAnswerBody), ms)
    res.once('close', () => clearTimeout(timer))
    next()
  }
}

function expressTarget(name: string, express: typeof express5): Target {
  return {
    name,
    reportsUnwritten: true,
    bodyParser: 'express.raw()',
    joinsRepeatedHeaders: false,
    async start(options, setup = {}) {
      const { guard, enqueued } = recordingGuard(options)
      const errors: unknown[] = []
      const app = express()
      if (setup.earlyAnswerMs !== undefined) app.use(expressEarlyAnswer(setup.earlyAnswerMs))
      if (setup.requestId) {
        app.use((req: ExpressRequest, _res: ExpressResponse, next: NextFunction) => {
          req.headers['x-request-id'] = requestId
          next()
        })
      }
      if (setup.bodyParser) app.use(express.raw({ type: '*/*' }))
      for (const route of routes) app.all(route, expressHookguard(guard))
      app.use((error: unknown, _req: ExpressRequest, res: ExpressResponse, _next: NextFunction) => {
        errors.push(error)
        res.status(500).end()
      })
      const server = createServer(app)
      return { url: await listen(server), guard, enqueued, errors, close: closer(server) }
    },
  }
}

/** Koa middleware that answers 503 after `ms` when what follows has not finished, as a timeout middleware does. */
function koaEarlyAnswer(ms: number): KoaMiddleware {
  return async (ctx, next) => {
    let timer: ReturnType<typeof setTimeout> | undefined
    const early = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        ctx.status = 503
        ctx.type = 'text/plain'
        ctx.body = earlyAnswerBody
        resolve()
      }, ms)
    })
    try {
      await Promise.race([next(), early])
    } finally {
      clearTimeout(timer)
    }
  }
}

function koaTarget(name: string, Koa: typeof Koa3): Target {
  return {
    name,
    reportsUnwritten: true,
    bodyParser: 'koa-bodyparser',
    joinsRepeatedHeaders: false,
    async start(options, setup = {}) {
      const { guard, enqueued } = recordingGuard(options)
      const errors: unknown[] = []
      const app = new Koa()
      app.silent = true
      app.on('error', (error: unknown) => errors.push(error))
      if (setup.earlyAnswerMs !== undefined) app.use(koaEarlyAnswer(setup.earlyAnswerMs))
      if (setup.requestId) {
        app.use((ctx, next) => {
          ctx.req.headers['x-request-id'] = requestId
          return next()
        })
      }
      if (setup.bodyParser) app.use(koaBodyParser())
      const router = new Router()
      for (const route of routes) router.all(route, koaHookguard(guard))
      app.use(router.routes())
      const server = createServer(app.callback())
      return { url: await listen(server), guard, enqueued, errors, close: closer(server) }
    },
  }
}

/**
 * Fastify 5 with its JSON parser on for the rest of the app. With `bodyParser`, the app parses every other body as
 * a raw Buffer (Fastify's own `parseAs: 'buffer'`, which does not inflate); hookguard's plugin keeps its routes
 * out of both.
 */
const fastifyTarget: Target = {
  name: 'Fastify 5',
  reportsUnwritten: true,
  bodyParser: undefined,
  joinsRepeatedHeaders: false,
  async start(options, setup = {}) {
    const { guard, enqueued } = recordingGuard(options)
    const errors: unknown[] = []
    const app = Fastify({ forceCloseConnections: true })
    const { earlyAnswerMs } = setup
    if (earlyAnswerMs !== undefined) {
      app.addHook('onRequest', (_request, reply, done) => {
        const timer = setTimeout(() => reply.code(503).type('text/plain').send(earlyAnswerBody), earlyAnswerMs)
        reply.raw.once('close', () => clearTimeout(timer))
        done()
      })
    }
    if (setup.requestId) {
      app.addHook('onRequest', (request, _reply, done) => {
        request.raw.headers['x-request-id'] = requestId
        done()
      })
    }
    if (setup.bodyParser)
      app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))
    app.register(fastifyHookguard, { guard, url: routes })
    app.setErrorHandler((error, _request, reply) => {
      errors.push(error)
      return reply.code(500).send()
    })
    await app.listen({ port: 0, host: '127.0.0.1' })
    return { url: await listen(app.server), guard, enqueued, errors, close: () => app.close() }
  },
}

@Controller('hooks')
class NestHooksController {
  constructor(@Inject(HookguardService) private readonly hookguard: HookguardService) {}

  @All(['', ':status'])
  receive(@Req() req: object, @Res() res: object) {
    return this.hookguard.handle(req, res)
  }
}

/** The rest of the app, whose JSON Nest's body parser reads as usual. */
@Controller('api')
class NestEchoController {
  @Post('echo')
  echo(@Body() parsed: unknown) {
    return { parsed }
  }
}

/**
 * A Nest 11 app on its Express or Fastify platform, set up as the README says, with JSON parsing on for the rest
 * of the app (`/api/echo`). On Express: created with `{ bodyParser: false }`, Express's JSON and form parsers
 * mounted for every path but the webhook routes with `exceptPaths`, and the routes a Nest controller calling
 * `HookguardService`. On Fastify: Nest's parsers as usual, and the routes `@hookguard/fastify`'s plugin with the
 * guard the Nest module provides. Middleware before hookguard is Nest's `app.use`.
 */
function nestTarget(name: string, platform: 'express' | 'fastify'): Target {
  return {
    name,
    reportsUnwritten: true,
    bodyParser: platform === 'express' ? 'express.raw()' : undefined,
    joinsRepeatedHeaders: false,
    async start(options, setup = {}) {
      const { guard, enqueued } = recordingGuard(options)
      const errors: unknown[] = []
      const controllers = platform === 'express' ? [NestHooksController, NestEchoController] : [NestEchoController]
      @Module({ imports: [HookguardModule.forRoot({ guard })], controllers })
      class AppModule {}
      const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter()
      const bodyParser = platform === 'fastify'
      const app: INestApplication = await NestFactory.create(AppModule, adapter, { bodyParser, logger: false })
      // Nest's middleware gets the Node request and response on both platforms.
      type Next = () => void
      const { earlyAnswerMs } = setup
      if (earlyAnswerMs !== undefined) {
        app.use((_req: IncomingMessage, res: ServerResponse, next: Next) => {
          const timer = setTimeout(() => {
            res.writeHead(503, { 'content-type': 'text/plain' })
            res.end(earlyAnswerBody)
          }, earlyAnswerMs)
          res.once('close', () => clearTimeout(timer))
          next()
        })
      }
      if (setup.requestId) {
        app.use((req: IncomingMessage, _res: ServerResponse, next: Next) => {
          req.headers['x-request-id'] = requestId
          next()
        })
      }
      if (platform === 'express') {
        // An app that parses every body raw, the webhook routes' too (`bodyParser`).
        if (setup.bodyParser) app.use(express5.raw({ type: '*/*' }))
        app.use(exceptPaths(['/hooks'], express5.json(), express5.urlencoded({ extended: true })))
      } else {
        const fastify = app as NestFastifyApplication
        // As in the Fastify target: the rest of the app parses every other body as a raw Buffer.
        if (setup.bodyParser)
          fastify
            .getHttpAdapter()
            .getInstance()
            .addContentTypeParser('*', { parseAs: 'buffer' }, (_r, body, done) => done(null, body))
        // Nest's platform has its own copy of Fastify here (5.11), whose plugin type differs from the root one's.
        const plugin = fastifyHookguard as unknown as Parameters<NestFastifyApplication['register']>[0]
        await fastify.register(plugin, { guard: app.get<Guard>(HOOKGUARD_GUARD), url: routes })
      }
      // Nest's own filter answers (a parser's 400 or 413 is an HttpException); anything else is a failure.
      const filter = new BaseExceptionFilter(app.getHttpAdapter())
      app.useGlobalFilters({
        catch: (error: unknown, host: ArgumentsHost) => {
          if (!(error instanceof HttpException)) errors.push(error)
          filter.catch(error, host)
        },
      })
      await app.listen(0, '127.0.0.1')
      return { url: await listen(app.getHttpServer()), guard, enqueued, errors, close: () => app.close() }
    },
  }
}

/** Plain `node:http`: the core's Node port and `writeVerdict`, the recipe of the core's README. */
const nodeHttpTarget: Target = {
  name: 'node:http',
  reportsUnwritten: true,
  bodyParser: undefined,
  joinsRepeatedHeaders: false,
  async start(options, setup = {}) {
    const { guard, enqueued } = recordingGuard(options)
    const errors: unknown[] = []
    const server = createServer((req, res) => {
      const { earlyAnswerMs } = setup
      if (earlyAnswerMs !== undefined) {
        const timer = setTimeout(
          () => res.writeHead(503, { 'content-type': 'text/plain' }).end(earlyAnswerBody),
          earlyAnswerMs,
        )
        res.once('close', () => clearTimeout(timer))
      }
      if (setup.requestId) req.headers['x-request-id'] = requestId
      const match = statusRoute.exec(req.url?.split('?')[0] ?? '')
      if (match === null) {
        res.writeHead(404).end()
        return
      }
      const params: Record<string, string> = match[1] === undefined ? {} : { status: decodeURIComponent(match[1]) }
      guard.process(fromNodeRequest(req, { params })).then(
        (verdict) => writeVerdict(guard, res, verdict),
        (error: unknown) => {
          errors.push(error)
          if (!res.headersSent) res.writeHead(500).end()
        },
      )
    })
    return { url: await listen(server), guard, enqueued, errors, close: closer(server) }
  },
}

/** Serves a fetch handler with `@hono/node-server`, which hands it the Node request as `env.incoming`. */
async function serveFetch(
  fetch: (request: Request, env: HttpBindings | Http2Bindings) => Response | Promise<Response>,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = await new Promise<Server>((resolve) => {
    const started = serve({ fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(started as Server))
  })
  return { url: await listen(server), close: closer(server) }
}

/** What `getConnInfo` from `hono/deno` reads (`hono/deno` itself needs the Deno global, so it cannot load here). */
function denoConnInfo(c: Context<{ Bindings: { remoteAddr?: { hostname: string } } }>): ConnInfo {
  return { remote: { address: c.env.remoteAddr?.hostname } }
}

/**
 * Hono on `@hono/node-server`. With `web`, the app gets no Node request, only the Web `Request` and the client's
 * address as Deno reports it (`env.remoteAddr`), so the adapter reads the `Request`, as on Deno, Bun or Workers.
 */
function honoTarget(name: string, web: boolean): Target {
  return {
    name,
    // Only the Node response tells the adapter that an earlier middleware answered.
    reportsUnwritten: !web,
    bodyParser: undefined,
    joinsRepeatedHeaders: web,
    async start(options, setup = {}) {
      const { guard, enqueued } = recordingGuard(options)
      const errors: unknown[] = []
      const app = new Hono<{ Bindings: Partial<HttpBindings> }>()
      if (setup.earlyAnswerMs !== undefined) {
        const early = () => new HTTPException(503, { res: new Response(earlyAnswerBody, { status: 503 }) })
        app.use(timeout(setup.earlyAnswerMs, early))
      }
      if (setup.requestId && !web) {
        app.use((c, next) => {
          c.env.incoming!.headers['x-request-id'] = requestId
          return next()
        })
      }
      // Off @hono/node-server the app passes its runtime's connection info, as a Deno app passes hono/deno's.
      const adapterOptions = web ? { getConnInfo: denoConnInfo } : {}
      for (const route of routes) app.all(route, honoHookguard(guard, adapterOptions))
      app.onError((error, c) => {
        // The timeout middleware's answer comes as an HTTPException: Hono's own way, not a failure.
        if (error instanceof HTTPException && error.status === 503) return error.getResponse()
        errors.push(error)
        return c.body(null, 500)
      })
      const fetch = (request: Request, env: HttpBindings | Http2Bindings) =>
        web
          ? app.fetch(request, { remoteAddr: { hostname: env.incoming.socket.remoteAddress } })
          : app.fetch(request, env as HttpBindings)
      return { ...(await serveFetch(fetch)), guard, enqueued, errors }
    },
  }
}

const statusRoute = /^\/hooks(?:\/([^/]+))?$/

/** The first of `answer` and a 503 after `ms`: a fetch handler's own timeout. */
async function earlyAnswer(answer: Promise<Response>, ms: number): Promise<Response> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const early = new Promise<Response>((resolve) => {
    timer = setTimeout(() => resolve(new Response(earlyAnswerBody, { status: 503 })), ms)
  })
  try {
    return await Promise.race([answer, early])
  } finally {
    clearTimeout(timer)
  }
}

const coreWebTarget: Target = {
  name: 'core guard.handle on a Web Request',
  reportsUnwritten: false,
  bodyParser: undefined,
  joinsRepeatedHeaders: true,
  async start(options, setup = {}) {
    const { guard, enqueued } = recordingGuard(options)
    const errors: unknown[] = []
    const handle = async (request: Request, env: HttpBindings | Http2Bindings): Promise<Response> => {
      try {
        const status = statusRoute.exec(new URL(request.url).pathname)?.[1]
        const params: Record<string, string> = status === undefined ? {} : { status: decodeURIComponent(status) }
        return await guard.handle(request, { remoteAddress: env.incoming.socket.remoteAddress, params })
      } catch (error) {
        errors.push(error)
        return new Response(null, { status: 500 })
      }
    }
    const fetch = (request: Request, env: HttpBindings | Http2Bindings) =>
      setup.earlyAnswerMs === undefined ? handle(request, env) : earlyAnswer(handle(request, env), setup.earlyAnswerMs)
    return { ...(await serveFetch(fetch)), guard, enqueued, errors }
  },
}

/** Every target the conformance suite runs through. */
export const targets: readonly Target[] = [
  expressTarget('Express 5', express5),
  expressTarget('Express 4', express4),
  koaTarget('Koa 3', Koa3),
  koaTarget('Koa 2', Koa2),
  fastifyTarget,
  nestTarget('NestJS 11 on Express', 'express'),
  nestTarget('NestJS 11 on Fastify', 'fastify'),
  nodeHttpTarget,
  honoTarget('Hono on @hono/node-server', false),
  honoTarget('Hono on a Web Request', true),
  coreWebTarget,
]
