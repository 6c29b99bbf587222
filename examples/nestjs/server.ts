// A complete webhook receiver on NestJS 11 (Express platform): Standard Webhooks / Svix signatures, dedupe, and a
// tiny in-process queue that logs every accepted event. The rest of the app (`POST /api/echo`) keeps Nest's JSON
// parsing; the webhook routes get the unread body, which hookguard reads with its own limit and timeouts.
//
//   WEBHOOK_SECRET=whsec_... PORT=3000 npm start
import 'reflect-metadata'
import { createGuard, standardWebhooks, type WebhookEvent } from '@hookguard/core'
import { exceptPaths, HookguardModule, HookguardService } from '@hookguard/nestjs'
import { All, Body, Controller, Inject, Module, Post, Req, Res } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import type { NestExpressApplication } from '@nestjs/platform-express'
import express from 'express'

const demoSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const secret = process.env.WEBHOOK_SECRET ?? demoSecret
if (secret === demoSecret)
  console.warn('WEBHOOK_SECRET is not set: using the demo secret. Never do this in production.')

// Stand-in for your real queue (BullMQ, SQS, a database table…).
const queue: WebhookEvent[] = []
setInterval(() => {
  for (let event = queue.shift(); event; event = queue.shift()) {
    console.log(`processing ${event.type ?? 'event'} ${event.id}`, event.payload)
  }
}, 100).unref()

const guard = createGuard({
  verify: [standardWebhooks({ secret })],
  enqueue: (event) => {
    queue.push(event)
  },
  eventType: ({ params, payload }) => params.status ?? (payload as { type?: string } | null)?.type,
  logger: {
    info: (record) => console.log(JSON.stringify(record)),
    warn: (record) => console.warn(JSON.stringify(record)),
    error: (record) => console.error(JSON.stringify(record)),
  },
})

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

@Module({ imports: [HookguardModule.forRoot({ guard })], controllers: [HooksController, EchoController] })
class AppModule {}

const port = Number(process.env.PORT ?? 3000)
const host = process.env.HOST ?? '127.0.0.1'
const app = await NestFactory.create<NestExpressApplication>(AppModule, {
  bodyParser: false,
  logger: ['error', 'warn'],
})
// Nest's JSON and form parsing for everything but /hooks and /hooks/….
app.use(exceptPaths(['/hooks'], express.json(), express.urlencoded({ extended: true })))
// listen() rejects when the port is taken (EADDRINUSE): the process exits non-zero.
await app.listen(port, host)
console.log(`listening on http://${host}:${port}/hooks`)
