// A webhook receiver with structured logs (pino) and Prometheus metrics
// (OpenTelemetry). Metrics are scraped from http://127.0.0.1:9464/metrics.
//
//   WEBHOOK_SECRET=whsec_... PORT=3000 METRICS_PORT=9464 npm start
import { createGuard, standardWebhooks, type WebhookEvent } from '@hookguard/core'
import { hookguard } from '@hookguard/express'
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus'
import { MeterProvider } from '@opentelemetry/sdk-metrics'
import express from 'express'
import { pino } from 'pino'

const demoSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const secret = process.env.WEBHOOK_SECRET ?? demoSecret
// In development (NODE_ENV not 'production') at debug: why each delivery was refused.
const logger = pino({ level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'production' ? 'info' : 'debug') })
if (secret === demoSecret) logger.warn('WEBHOOK_SECRET is not set: using the demo secret. Never do this in production.')

// Register the exporter before creating the guard: the guard takes its meter at creation.
const exporter = new PrometheusExporter({ host: '127.0.0.1', port: Number(process.env.METRICS_PORT ?? 9464) })
const meterProvider = new MeterProvider({ readers: [exporter] })

const queue: WebhookEvent[] = []
setInterval(() => {
  for (let event = queue.shift(); event; event = queue.shift()) {
    logger.info({ eventId: event.id, type: event.type }, `processing ${event.type ?? 'event'} ${event.id}`)
  }
}, 100).unref()

const guard = createGuard({
  verify: [standardWebhooks({ secret })],
  enqueue: (event) => {
    queue.push(event)
  },
  eventType: ({ params, payload }) => params.status ?? (payload as { type?: string } | null)?.type,
  logger,
  meterProvider,
  // Your own bookkeeping, e.g. match a developerPayload the sender echoes back.
  onAccepted: (event) => {
    const echoed = (event.payload as { developerPayload?: string } | null)?.developerPayload
    if (echoed) logger.info({ eventId: event.id, developerPayload: echoed }, 'matched developerPayload')
  },
})

const app = express()
app.post('/hooks', hookguard(guard))
app.post('/hooks/:status', hookguard(guard))

const port = Number(process.env.PORT ?? 3000)
const host = process.env.HOST ?? '127.0.0.1'
// Express 5 hands a listen error to this callback (and no longer throws it); the metrics server would keep the
// process alive, so it exits.
app.listen(port, host, (error?: Error) => {
  if (error) {
    logger.error(`cannot listen on ${host}:${port}: ${error.message}`)
    process.exit(1)
  }
  logger.info(`listening on http://${host}:${port}/hooks`)
})
