import { request as httpRequest } from 'node:http'
import { createGuard, type Guard, type GuardOptions, standardWebhooks, type WebhookEvent } from '@hookguard/core'
import { hookguard as fastifyHookguard } from '@hookguard/fastify'
import { All, Body, Controller, type INestApplication, Inject, Module, Post, Req, Res } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { ExpressAdapter } from '@nestjs/platform-express'
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify'
import express from 'express'
import { afterEach, describe, expect, test } from 'vitest'
import { makeSecret, signedHeaders } from '../../core/test-support/sign.js'
import { exceptPaths, HOOKGUARD_GUARD, HookguardModule, HookguardService } from './index.js'

const secret = makeSecret()
const body = JSON.stringify({ type: 'scan.completed', data: { scanId: 'abc' } })

function guardFor(enqueued: WebhookEvent[], options: Partial<GuardOptions> = {}) {
  return createGuard({
    verify: [standardWebhooks({ secret: secret.whsec })],
    enqueue: (event) => {
      enqueued.push(event)
    },
    eventType: { param: 'status' },
    ...options,
  })
}

@Controller('hooks')
class HooksController {
  constructor(@Inject(HookguardService) private readonly hookguard: HookguardService) {}

  @All(['', ':status'])
  receive(@Req() req: object, @Res() res: object) {
    return this.hookguard.handle(req, res)
  }
}

@Controller('api')
class EchoController {
  @Post('echo')
  echo(@Body() parsed: unknown) {
    return { parsed }
  }
}

const platforms = [
  ['Express', () => new ExpressAdapter()],
  ['Fastify', () => new FastifyAdapter()],
] as const

let app: INestApplication | undefined
afterEach(async () => {
  await app?.close()
  app = undefined
})

async function start(
  platform: (typeof platforms)[number][1],
  guard: ReturnType<typeof guardFor>,
  rawBody: boolean,
): Promise<string> {
  @Module({ imports: [HookguardModule.forRoot({ guard })], controllers: [HooksController, EchoController] })
  class AppModule {}
  app = await NestFactory.create(AppModule, platform(), { rawBody, logger: false })
  await app.listen(0, '127.0.0.1')
  return (await app.getUrl()).replace('[::1]', '127.0.0.1')
}

function deliver(url: string, id: string, contentType = 'application/json') {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType, ...signedHeaders(secret.key, { id, body }) },
    body,
  })
}

// Only what is Nest's own: its body parser and `rawBody`, both platforms, the module. What every adapter must do
// (statuses, methods, limits, duplicates, repeated headers) runs in test/conformance.test.ts, on both platforms.
describe.each(platforms)('hookguard on Nest with %s', (_name, platform) => {
  test("with rawBody: true, a JSON delivery is verified from Nest's raw copy, and the rest of the app parses JSON", async () => {
    const enqueued: WebhookEvent[] = []
    const url = await start(platform, guardFor(enqueued), true)

    const accepted = await deliver(`${url}/hooks/DONE`, 'msg_n1')
    expect([accepted.status, await accepted.json()]).toMatchObject([202, { code: 'accepted' }])
    const again = await deliver(`${url}/hooks`, 'msg_n1')
    expect([again.status, await again.json()]).toMatchObject([200, { code: 'duplicate' }])
    expect(enqueued.map((e) => [e.id, e.type, e.payload])).toEqual([['msg_n1', 'DONE', JSON.parse(body)]])

    const echoed = await fetch(`${url}/api/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"n":1}',
    })
    expect(await echoed.json()).toEqual({ parsed: { n: 1 } })
  })

  test('a body no Nest parser takes (octet-stream) is read from the stream by the guard', async () => {
    const enqueued: WebhookEvent[] = []
    const url = await start(platform, guardFor(enqueued), true)
    const reply = await deliver(`${url}/hooks/DONE`, 'msg_n2', 'application/octet-stream')
    expect(reply.status).toBe(202)
    expect(enqueued.map((e) => e.id)).toEqual(['msg_n2'])
  })

  test('without rawBody: true: 500 raw_body_unavailable, the fix in the log, never re-serialized', async () => {
    const enqueued: WebhookEvent[] = []
    const logged: Record<string, unknown>[] = []
    const logger = { info() {}, warn() {}, error: (record: object) => logged.push(record as Record<string, unknown>) }
    const url = await start(platform, guardFor(enqueued, { logger }), false)
    const reply = await deliver(`${url}/hooks/DONE`, 'msg_n3')
    expect([reply.status, await reply.json()]).toMatchObject([500, { code: 'raw_body_unavailable' }])
    expect(String(logged[0]?.detail)).toContain('{ rawBody: true }')
    expect(enqueued).toHaveLength(0)
  })
})

test('the module provides the guard under its token, and checks it', async () => {
  const guard = guardFor([])
  @Module({ imports: [HookguardModule.forRoot({ guard })] })
  class AppModule {}
  const context = await NestFactory.createApplicationContext(AppModule, { logger: false })
  expect(context.get(HOOKGUARD_GUARD)).toBe(guard)
  expect(context.get(HookguardService).guard).toBe(guard)
  await context.close()
  expect(() => HookguardModule.forRoot({} as never)).toThrow(
    new TypeError('HookguardModule.forRoot: guard must be a guard from createGuard'),
  )
})

/** The README's setups: the webhook routes out of Nest's body parsing, every other route parsing JSON and forms. */
async function startDocumented(platformName: 'Express' | 'Fastify', guard: ReturnType<typeof guardFor>) {
  const hooks = platformName === 'Express' ? [HooksController] : []
  @Module({ imports: [HookguardModule.forRoot({ guard })], controllers: [...hooks, EchoController] })
  class AppModule {}
  if (platformName === 'Express') {
    const nest = await NestFactory.create(AppModule, new ExpressAdapter(), { bodyParser: false, logger: false })
    nest.use(exceptPaths(['/hooks'], express.json(), express.urlencoded({ extended: true })))
    app = nest
  } else {
    const nest = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), { logger: false })
    // Nest's platform nests its own copy of Fastify in this repository, whose plugin type differs from the root one's.
    const plugin = fastifyHookguard as unknown as Parameters<NestFastifyApplication['register']>[0]
    await nest.register(plugin, { guard: nest.get<Guard>(HOOKGUARD_GUARD), url: ['/hooks', '/hooks/:status'] })
    app = nest
  }
  await app.listen(0, '127.0.0.1')
  return (await app.getUrl()).replace('[::1]', '127.0.0.1')
}

describe.each(['Express', 'Fastify'] as const)('the documented setup on %s', (platformName) => {
  test('the guard reads the webhook body itself (401 before a stalled body); the rest of the app parses JSON and forms', async () => {
    const enqueued: WebhookEvent[] = []
    const url = await startDocumented(platformName, guardFor(enqueued))

    const accepted = await deliver(`${url}/hooks/DONE`, 'msg_d1')
    expect([accepted.status, await accepted.json()]).toMatchObject([202, { code: 'accepted' }])
    expect(enqueued.map((e) => [e.id, e.type, e.payload])).toEqual([['msg_d1', 'DONE', JSON.parse(body)]])

    // No credentials and a body that never comes: Nest's parser would wait for it; the guard answers at once.
    const { status } = await new Promise<{ status: number }>((resolve, reject) => {
      const request = httpRequest(`${url}/hooks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': '1000' },
      })
      request.on('response', (response) => {
        response.resume()
        resolve({ status: response.statusCode ?? 0 })
        request.destroy()
      })
      request.on('error', reject)
      request.write('{"partial":')
    })
    expect(status).toBe(401)

    const json = await fetch(`${url}/api/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"n":1}',
    })
    expect(await json.json()).toEqual({ parsed: { n: 1 } })
    const form = await fetch(`${url}/api/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    })
    expect(await form.json()).toEqual({ parsed: { a: '1' } })
  })
})
