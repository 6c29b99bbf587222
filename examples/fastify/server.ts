// A complete webhook receiver on Fastify: Standard Webhooks / Svix signatures,
// dedupe, and a tiny in-process queue that logs every accepted event.
//
//   WEBHOOK_SECRET=whsec_... PORT=3000 npm start
import { createGuard, standardWebhooks, type WebhookEvent } from '@hookguard/core'
import { hookguard } from '@hookguard/fastify'
import Fastify from 'fastify'

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

const app = Fastify()
// The plugin's routes read the raw body; the rest of the app keeps Fastify's JSON parser.
app.register(hookguard, { guard, url: ['/hooks', '/hooks/:status'] })
app.post('/api/echo', async (request) => ({ parsed: request.body }))

const port = Number(process.env.PORT ?? 3000)
const host = process.env.HOST ?? '127.0.0.1'
// listen() rejects when the port is taken (EADDRINUSE): the process exits non-zero.
await app.listen({ port, host })
console.log(`listening on http://${host}:${port}/hooks`)
