import { createServer, type Server } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { type Http2Bindings, type HttpBindings, serve } from '@hono/node-server'
import { createGuard, type Guard, type GuardOptions, type WebhookEvent } from '@hookguard/core'
import { hookguard as expressHookguard } from '@hookguard/express'
import { hookguard as honoHookguard } from '@hookguard/hono'
import { hookguard as koaHookguard } from '@hookguard/koa'
import Router from '@koa/router'
import express5, { type Request as ExpressRequest, type Response as ExpressResponse, type NextFunction } from 'express'
import { Hono } from 'hono'
import Koa3 from 'koa'

// Koa 2 and Express 4 are installed under npm aliases and ship no types of their own.
const require = createRequire(import.meta.url)
const Koa2 = require('koa2') as typeof Koa3
const express4 = require('express4') as typeof express5

/** A target serving one guard on `127.0.0.1`, at `${url}` and `${url}/:status`. */
export interface StartedTarget {
  /** `http://127.0.0.1:<port>/hooks` */
  url: string
  /** Events whose `enqueue` resolved, in order. */
  enqueued: WebhookEvent[]
  /** Errors the framework caught outside the guard (there should be none). */
  errors: unknown[]
  close(): Promise<void>
}

/** One way of serving a guard: an adapter on its framework, or the core on a Web `Request`. */
export interface Target {
  name: string
  start(options: GuardOptions): Promise<StartedTarget>
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

function expressTarget(name: string, express: typeof express5): Target {
  return {
    name,
    async start(options) {
      const { guard, enqueued } = recordingGuard(options)
      const errors: unknown[] = []
      const app = express()
      for (const route of routes) app.all(route, expressHookguard(guard))
      app.use((error: unknown, _req: ExpressRequest, res: ExpressResponse, _next: NextFunction) => {
        errors.push(error)
        res.status(500).end()
      })
      const server = createServer(app)
      return { url: await listen(server), enqueued, errors, close: closer(server) }
    },
  }
}

function koaTarget(name: string, Koa: typeof Koa3): Target {
  return {
    name,
    async start(options) {
      const { guard, enqueued } = recordingGuard(options)
      const errors: unknown[] = []
      const app = new Koa()
      app.silent = true
      app.on('error', (error: unknown) => errors.push(error))
      const router = new Router()
      for (const route of routes) router.all(route, koaHookguard(guard))
      app.use(router.routes())
      const server = createServer(app.callback())
      return { url: await listen(server), enqueued, errors, close: closer(server) }
    },
  }
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

const honoTarget: Target = {
  name: 'Hono on @hono/node-server',
  async start(options) {
    const { guard, enqueued } = recordingGuard(options)
    const errors: unknown[] = []
    const app = new Hono()
    for (const route of routes) app.all(route, honoHookguard(guard))
    app.onError((error, c) => {
      errors.push(error)
      return c.body(null, 500)
    })
    return { ...(await serveFetch((request, env) => app.fetch(request, env))), enqueued, errors }
  },
}

const statusRoute = /^\/hooks(?:\/([^/]+))?$/

const coreWebTarget: Target = {
  name: 'core guard.handle on a Web Request',
  async start(options) {
    const { guard, enqueued } = recordingGuard(options)
    const errors: unknown[] = []
    const fetch = async (request: Request, env: HttpBindings | Http2Bindings): Promise<Response> => {
      try {
        const status = statusRoute.exec(new URL(request.url).pathname)?.[1]
        const params: Record<string, string> = status === undefined ? {} : { status: decodeURIComponent(status) }
        return await guard.handle(request, { remoteAddress: env.incoming.socket.remoteAddress, params })
      } catch (error) {
        errors.push(error)
        return new Response(null, { status: 500 })
      }
    }
    return { ...(await serveFetch(fetch)), enqueued, errors }
  },
}

/** Every target the conformance suite runs through. */
export const targets: readonly Target[] = [
  expressTarget('Express 5', express5),
  expressTarget('Express 4', express4),
  koaTarget('Koa 3', Koa3),
  koaTarget('Koa 2', Koa2),
  honoTarget,
  coreWebTarget,
]
