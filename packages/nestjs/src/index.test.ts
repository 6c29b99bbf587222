import { createGuard, type GuardOptions, standardWebhooks, type WebhookEvent } from '@hookguard/core'
import { All, Body, Controller, type INestApplication, Inject, Module, Post, Req, Res } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { ExpressAdapter } from '@nestjs/platform-express'
import { FastifyAdapter } from '@nestjs/platform-fastify'
import { afterEach, describe, expect, test } from 'vitest'
import { makeSecret, signedHeaders } from '../../core/test-support/sign.js'
import { HOOKGUARD_GUARD, HookguardModule, HookguardService } from './index.js'

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
