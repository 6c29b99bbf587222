/**
 * The apps the HTTP and handler benchmarks compare, for each framework: bare
 * (read the raw body, answer 202), a hand-written node:crypto HMAC check,
 * hookguard's full pipeline, and svix. Every app reads the raw body the same
 * way and answers 202 with the same small JSON body, so the only difference
 * is the check.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http'
import {
  createGuard,
  type DedupeStore,
  type Guard,
  type GuardOptions,
  standardWebhooks,
  type WebhookEvent,
} from '@hookguard/core'
import { fromNodeRequest } from '@hookguard/core/adapter'
import { Webhook as SvixWebhook } from 'svix'
import type { BenchHandoff } from './handoffs.js'
import { benchSecret } from './shared.js'

export const frameworks = ['node', 'express', 'koa', 'hono', 'fastify'] as const
export const variants = [
  'bare',
  'hmac',
  'hookguard',
  'hookguard-eager',
  'hookguard-redis',
  'hookguard-postgres',
  'hookguard-bullmq',
  'hookguard-nats',
  'hookguard-rabbitmq',
  'svix',
] as const
export type Framework = (typeof frameworks)[number]
export type Variant = (typeof variants)[number]

const secret = benchSecret()
const acceptedBody = JSON.stringify({ status: 202, code: 'accepted' })
const acceptedHeaders = { 'content-type': 'application/json', 'content-length': String(acceptedBody.length) }
const rejectedBody = JSON.stringify({ status: 401, code: 'invalid_signature' })
const rawBodyHint = 'benchmark server: the body was consumed before hookguard'

/** The same minimal raw-body reader for every non-hookguard app. */
function readRaw(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

function header(headers: IncomingHttpHeaders | Headers, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined
  const value = headers[name]
  return typeof value === 'string' ? value : undefined
}

/** What a hand-written handler does: HMAC-SHA256 of `id.timestamp.body` with node:crypto, constant-time compare. */
function hmacOk(headers: IncomingHttpHeaders | Headers, body: Uint8Array): boolean {
  const id = header(headers, 'webhook-id')
  const timestamp = header(headers, 'webhook-timestamp')
  const signature = header(headers, 'webhook-signature')
  if (id === undefined || timestamp === undefined || signature === undefined || !signature.startsWith('v1,')) {
    return false
  }
  const expected = Buffer.from(
    createHmac('sha256', secret.key).update(`${id}.${timestamp}.`).update(body).digest('base64'),
  )
  const given = Buffer.from(signature.slice(3))
  return expected.length === given.length && timingSafeEqual(expected, given)
}

const svix = new SvixWebhook(secret.whsec)

/** The peer: svix's documented `wh.verify(payload, headers)`, here with `webhook-*` header names. */
function svixOk(headers: IncomingHttpHeaders | Headers, body: Uint8Array): boolean {
  // svix reads a Buffer or a string (Hono hands a Uint8Array).
  const payload = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  try {
    svix.verify(payload, {
      'svix-id': header(headers, 'webhook-id') ?? '',
      'svix-timestamp': header(headers, 'webhook-timestamp') ?? '',
      'svix-signature': header(headers, 'webhook-signature') ?? '',
    })
    return true
  } catch {
    return false
  }
}

/** The check a non-hookguard app makes in its handler: none (bare), a hand-written HMAC, or svix. */
function check(variant: Variant, headers: IncomingHttpHeaders | Headers, body: Uint8Array): boolean {
  if (variant === 'hmac') return hmacOk(headers, body)
  if (variant === 'svix') return svixOk(headers, body)
  return true
}

async function redisDedupe(): Promise<{ store: DedupeStore; close: () => Promise<void> }> {
  const [{ redisStore }, { Redis }] = await Promise.all([import('@hookguard/redis'), import('ioredis')])
  const client = new Redis({
    host: '127.0.0.1',
    port: 6379,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // As the store's README recommends: the commands of concurrent deliveries go out in one write.
    enableAutoPipelining: true,
    lazyConnect: true,
  })
  await client.connect()
  const store = redisStore({ client, prefix: `hookguard-bench:${process.pid}:` })
  return { store, close: async () => void (await client.quit()) }
}

/**
 * The Postgres inbox on the shared database (`DATABASE_URL`, else 127.0.0.1:5432/test), in a table of this
 * process's own, dropped on close: its `enqueue` is the INSERT and its claim the dedupe check.
 */
async function postgresHandoff(): Promise<{
  options: Pick<GuardOptions, 'namespace' | 'dedupe' | 'enqueue'>
  close: () => Promise<void>
}> {
  const [{ postgresInbox }, { default: pg }] = await Promise.all([import('@hookguard/postgres'), import('pg')])
  const connectionString = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
  const pool = new pg.Pool({ connectionString, max: 10, connectionTimeoutMillis: 2_000 })
  pool.on('error', () => {})
  const table = `hookguard_bench_${process.pid}`
  const inbox = postgresInbox({ pool, table, namespace: 'bench' })
  await inbox.migrate()
  return {
    options: inbox.guardOptions,
    close: async () => {
      await pool.query(`DROP TABLE IF EXISTS "${table}", "${table}_keys"`)
      await pool.end()
    },
  }
}

/** Where accepted events go: an in-process queue (the memory or Redis store dedupes), or the Postgres inbox. */
export type Handoff = 'memory' | 'redis' | 'postgres'

/**
 * The full pipeline: IP allowlist, Standard Webhooks, dedupe, an in-process
 * enqueue, or in its place the Postgres inbox or `broker` (a broker's handoff).
 */
export async function makeGuard(
  handoff: Handoff,
  eager: boolean,
  broker?: BenchHandoff,
): Promise<{ guard: Guard; close: () => Promise<void> }> {
  // An in-process queue with a consumer that keeps up: it takes what arrived on the next turn of the
  // event loop and reads each event's id (a consumer that falls behind is the app's cost, not ours).
  const queue: WebhookEvent[] = []
  const consume = () => {
    for (const event of queue) if (event.id === null) throw new Error('benchmark: an event without its id')
    queue.length = 0
  }
  const dedupe = handoff === 'redis' ? await redisDedupe() : undefined
  const inbox = handoff === 'postgres' ? await postgresHandoff() : undefined
  const guard = createGuard({
    verify: [standardWebhooks({ secret: secret.whsec })],
    allowIps: ['127.0.0.1', '::1'],
    dedupe: dedupe?.store,
    // Short enough that a benchmark leaves nothing behind in a shared Redis for long.
    dedupeTtlMs: 120_000,
    namespace: 'bench',
    // The default is 'lazy': with the id in a header, nothing parses the body on the hot path.
    ...(eager ? { parseJson: 'eager' as const } : {}),
    enqueue:
      broker?.enqueue ??
      ((event) => {
        if (queue.push(event) === 1) setImmediate(consume)
      }),
    ...inbox?.options,
  })
  return { guard, close: broker?.close ?? dedupe?.close ?? inbox?.close ?? (async () => {}) }
}

/**
 * The node:http app's request handler; its promise settles once the answer is
 * written (the in-process handler benchmark waits for it).
 */
export function nodeHandler(
  variant: Variant,
  guard: Guard | undefined,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  if (guard) {
    return (req, res) =>
      guard.process(fromNodeRequest(req, { rawBodyHint })).then((verdict) => {
        res.writeHead(verdict.status, verdict.headers).end(verdict.body)
      })
  }
  return (req, res) =>
    readRaw(req).then((body) => {
      if (!check(variant, req.headers, body)) return void res.writeHead(401).end(rejectedBody)
      res.writeHead(202, acceptedHeaders).end(acceptedBody)
    })
}

function nodeServer(variant: Variant, guard: Guard | undefined): Server {
  const handle = nodeHandler(variant, guard)
  return createServer((req, res) => void handle(req, res))
}

async function expressServer(variant: Variant, guard: Guard | undefined): Promise<Server> {
  const { default: express } = await import('express')
  const app = express()
  if (guard) {
    const { hookguard } = await import('@hookguard/express')
    app.post('/hooks', hookguard(guard))
  } else {
    app.post('/hooks', (req, res, next) => {
      readRaw(req).then((body) => {
        if (!check(variant, req.headers, body)) return void res.status(401).type('application/json').send(rejectedBody)
        res.writeHead(202, acceptedHeaders).end(acceptedBody)
      }, next)
    })
  }
  return createServer(app)
}

async function koaServer(variant: Variant, guard: Guard | undefined): Promise<Server> {
  const { default: Koa } = await import('koa')
  const app = new Koa()
  if (guard) {
    const { hookguard } = await import('@hookguard/koa')
    app.use(hookguard(guard))
  } else {
    app.use(async (ctx) => {
      const body = await readRaw(ctx.req)
      if (!check(variant, ctx.req.headers, body)) {
        ctx.status = 401
        ctx.type = 'application/json'
        ctx.body = rejectedBody
        return
      }
      ctx.status = 202
      ctx.type = 'application/json'
      ctx.body = acceptedBody
    })
  }
  return createServer(app.callback())
}

async function honoServer(variant: Variant, guard: Guard | undefined): Promise<Server> {
  const [{ Hono }, { createAdaptorServer }] = await Promise.all([import('hono'), import('@hono/node-server')])
  const app = new Hono()
  if (guard) {
    const { hookguard } = await import('@hookguard/hono')
    app.post('/hooks', hookguard(guard))
  } else {
    app.post('/hooks', async (c) => {
      const body = new Uint8Array(await c.req.arrayBuffer())
      if (!check(variant, c.req.raw.headers, body)) {
        return c.body(rejectedBody, 401, { 'content-type': 'application/json' })
      }
      return c.body(acceptedBody, 202, { 'content-type': 'application/json' })
    })
  }
  return createAdaptorServer({ fetch: app.fetch }) as Server
}

async function fastifyServer(variant: Variant, guard: Guard | undefined): Promise<Server> {
  const { default: Fastify } = await import('fastify')
  const app = Fastify()
  if (guard) {
    const { hookguard } = await import('@hookguard/fastify')
    await app.register(hookguard, { guard, url: '/hooks' })
  } else {
    // The raw bytes, as every other hand-written app reads them.
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))
    app.post('/hooks', async (request, reply) => {
      if (!check(variant, request.headers, request.body as Buffer)) {
        return reply.code(401).type('application/json').send(rejectedBody)
      }
      return reply.code(202).type('application/json').send(acceptedBody)
    })
  }
  await app.ready()
  return app.server
}

/** The server of one framework's app (not listening yet). */
export function appServer(framework: Framework, variant: Variant, guard: Guard | undefined): Promise<Server> {
  if (framework === 'node') return Promise.resolve(nodeServer(variant, guard))
  if (framework === 'express') return expressServer(variant, guard)
  if (framework === 'koa') return koaServer(variant, guard)
  if (framework === 'fastify') return fastifyServer(variant, guard)
  return honoServer(variant, guard)
}
