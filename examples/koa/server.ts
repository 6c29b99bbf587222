// A complete webhook receiver: Standard Webhooks / Svix signatures, dedupe,
// and a tiny in-process queue that logs every accepted event.
//
//   WEBHOOK_SECRET=whsec_... PORT=3000 npm start
import { createGuard, standardWebhooks, type WebhookEvent } from '@hookguard/core'
import { hookguard } from '@hookguard/koa'
import Router from '@koa/router'
import Koa from 'koa'

const demoSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const secret = process.env.WEBHOOK_SECRET ?? demoSecret
if (secret === demoSecret)
  console.warn('WEBHOOK_SECRET is not set: using the demo secret. Never do this in production.')

const development = process.env.NODE_ENV !== 'production'
/** One JSON line per log record, its message first. */
const logLine = (write: (line: string) => void) => (record: object, message?: string) =>
  write(JSON.stringify({ msg: message, ...record }))

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
  // In development (NODE_ENV not 'production') the debug records too: why each delivery was refused.
  logger: {
    ...(development && { debug: logLine(console.debug) }),
    info: logLine(console.log),
    warn: logLine(console.warn),
    error: logLine(console.error),
  },
})

const router = new Router()
// hookguard reads the raw body itself: mount it before any body parser.
router.post('/hooks', hookguard(guard))
router.post('/hooks/:status', hookguard(guard))

const app = new Koa()
app.use(router.routes())

const port = Number(process.env.PORT ?? 3000)
const host = process.env.HOST ?? '127.0.0.1'
app.listen(port, host, () => console.log(`listening on http://${host}:${port}/hooks`)).on('error', exitOnListenError)
/** A port already taken (EADDRINUSE) or any other listen failure: say so and exit non-zero. */
function exitOnListenError(error: Error): never {
  console.error(`cannot listen on ${host}:${port}: ${error.message}`)
  process.exit(1)
}
