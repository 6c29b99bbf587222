// The HTTP side: verify, dedupe on Redis, hand the event to BullMQ, answer.
import { createGuard, type Logger, standardWebhooks, type WebhookEvent } from '@hookguard/core'
import { hookguard } from '@hookguard/express'
import { redisStore } from '@hookguard/redis'
import type { Queue } from 'bullmq'
import express, { type Express } from 'express'
import type { Redis } from 'ioredis'

/** What the receiver needs: the signing secret, a Redis client for dedupe and the BullMQ queue. */
export interface ReceiverOptions {
  secret: string
  /** Create it with `{ enableOfflineQueue: false, maxRetriesPerRequest: 0 }`: fail fast, answer 503. */
  redis: Redis
  queue: Queue<WebhookEvent>
  /** Dedupe key prefix. Default `hookguard:`. */
  prefix?: string
  logger?: Logger
}

/**
 * BullMQ job ids may not be integers or contain `:`, so the event id is
 * escaped and prefixed; equal event ids still give equal job ids.
 *
 * @example
 * ```ts
 * jobIdFor('msg_2Lq') // 'webhook-msg_2Lq'
 * ```
 */
export function jobIdFor(eventId: string): string {
  return `webhook-${encodeURIComponent(eventId)}`
}

/**
 * An Express app that receives Standard Webhooks / Svix deliveries on
 * `POST /hooks` and `POST /hooks/:status`, deduplicates them on Redis and adds
 * one BullMQ job per event. The job id is the event id, so even a copy that
 * gets past dedupe (its done marker lost in a Redis failure) is refused by the
 * queue while the first job is kept.
 *
 * @example
 * ```ts
 * const app = createReceiver({ secret, redis, queue })
 * app.listen(3000)
 * ```
 */
export function createReceiver(options: ReceiverOptions): Express {
  const { queue } = options
  const guard = createGuard({
    verify: [standardWebhooks({ secret: options.secret })],
    dedupe: redisStore({ client: options.redis, prefix: options.prefix }),
    enqueue: async (event) => {
      await queue.add(event.type ?? 'webhook', event, { jobId: jobIdFor(event.id!) })
    },
    eventType: ({ params, payload }) => params.status ?? (payload as { type?: string } | null)?.type,
    logger: options.logger,
  })
  const app = express()
  // hookguard reads the raw body itself: mount it before any JSON body parser.
  app.post('/hooks', hookguard(guard))
  app.post('/hooks/:status', hookguard(guard))
  return app
}
