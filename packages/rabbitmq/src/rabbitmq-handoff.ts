import { QueueFullError, type WebhookEvent } from '@hookguard/core'
import type { ChannelModel, ConfirmChannel, Message, Options } from 'amqplib'
import { amqpMessageId, checkNamespace } from './key.js'

/** Options for {@link rabbitmqHandoff}. */
export interface RabbitmqHandoffOptions {
  /**
   * Opens a connection, e.g. `() => connect(process.env.AMQP_URL!)` with
   * amqplib's `connect`. Called on the first enqueue, and again on the next
   * enqueue after the connection or its channel failed.
   */
  connect: () => Promise<ChannelModel>
  /** The exchange to publish to. Default `''`: the default exchange, where the routing key is a queue's name. */
  exchange?: string
  /** The routing key: a string, or one per event (e.g. by type). */
  routingKey: string | ((event: WebhookEvent) => string)
  /** Part of every message id ({@link amqpMessageId}), so receivers that share a queue never share an id. Default `hookguard`. */
  namespace?: string
  /** Runs on every new channel before its first publish: declare your exchange, queues and bindings here. */
  setup?: (channel: ConfirmChannel) => Promise<unknown>
  /**
   * How long to wait for a connection (with its channel and `setup`), and then
   * for each confirm, in ms. A connection that takes longer is given up; a
   * publish that takes longer fails and the connection is replaced on the next
   * enqueue (it may be half open). Default 5 000 (the guard's own enqueue
   * timeout, 3 s by default, answers the sender first).
   */
  timeoutMs?: number
  /** More publish options (`headers`, `priority`, `expiration`, …); the handoff sets `messageId`, `persistent`, `mandatory`, `contentType`. */
  publishOptions?: Omit<Options.Publish, 'messageId' | 'persistent' | 'mandatory' | 'deliveryMode' | 'contentType'>
}

/** An `enqueue` for `createGuard`, and `close()` to end its connection. */
export interface RabbitmqHandoff {
  (event: WebhookEvent): Promise<void>
  /** Closes the connection, if one is open. A later enqueue opens a new one. */
  close(): Promise<void>
}

/** One connection and its confirm channel, with the publishes waiting for their confirm. */
interface Link {
  generation: number
  model: ChannelModel
  channel: ConfirmChannel
  /** By message id: at most one unconfirmed publish per id, so a `return` names its publish. */
  unconfirmed: Map<string, { returned: boolean; settled: Promise<void> }>
}

/**
 * An `enqueue` for `createGuard` that publishes each event as JSON on a
 * confirm channel: persistent, `mandatory`, with the event's key as
 * `messageId`, and resolves only on the broker's confirm. A message no queue
 * takes (the broker returns it) fails, and so does a confirm that does not come,
 * a closed channel, or a dropped connection (503 `enqueue_failed`); a nack (a
 * full queue with `x-overflow: reject-publish`) throws `QueueFullError`
 * (503 `queue_full`). After a failure of the connection or the channel the next
 * enqueue opens a fresh one. Events without an id are refused.
 *
 * @example
 * ```ts
 * import { createGuard, standardWebhooks } from '@hookguard/core'
 * import { rabbitmqHandoff } from '@hookguard/rabbitmq'
 * import { connect } from 'amqplib'
 *
 * const enqueue = rabbitmqHandoff({
 *   connect: () => connect(process.env.AMQP_URL ?? 'amqp://127.0.0.1'),
 *   routingKey: 'webhooks',
 *   setup: (channel) => channel.assertQueue('webhooks', { durable: true }),
 * })
 * const guard = createGuard({ verify: [standardWebhooks({ secret: process.env.WEBHOOK_SECRET! })], enqueue })
 * process.once('SIGTERM', () => enqueue.close())
 * ```
 */
export function rabbitmqHandoff(options: RabbitmqHandoffOptions): RabbitmqHandoff {
  if (!options || typeof options !== 'object') throw new TypeError('rabbitmqHandoff: options must be an object')
  const { connect, setup, publishOptions } = options
  if (typeof connect !== 'function') throw new TypeError('rabbitmqHandoff: connect must be a function')
  if (setup !== undefined && typeof setup !== 'function') {
    throw new TypeError('rabbitmqHandoff: setup must be a function')
  }
  const exchange = options.exchange ?? ''
  if (typeof exchange !== 'string') throw new TypeError('rabbitmqHandoff: exchange must be a string')
  const routingKey = routingKeyOf(options.routingKey)
  const namespace = checkNamespace('rabbitmqHandoff', options.namespace ?? 'hookguard')
  const timeoutMs = options.timeoutMs ?? 5_000
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new TypeError('rabbitmqHandoff: timeoutMs must be a positive number')
  }
  if (publishOptions !== undefined && (typeof publishOptions !== 'object' || publishOptions === null)) {
    throw new TypeError('rabbitmqHandoff: publishOptions must be an object')
  }

  let current: Promise<Link> | undefined
  let generation = 0

  /** The open link, or a new one; a failed or slow attempt is forgotten, so the next call tries again. */
  function link(): Promise<Link> {
    if (current) return current
    const mine = ++generation
    const opening = within(open(mine), `no connection within ${timeoutMs} ms`)
    current = opening
    opening.catch(() => forget(mine))
    return opening
  }

  /** Forgets link `which` (if it is still the current one) and closes its connection, now or once it opens. */
  function forget(which: number): void {
    if (which !== generation || !current) return
    const closing = current
    current = undefined
    generation += 1
    closing.then((old) => old.model.close()).catch(() => {})
  }

  async function open(mine: number): Promise<Link> {
    const onFailure = () => forget(mine)
    const model = await connect()
    model.on('error', () => {})
    model.on('close', onFailure)
    try {
      // Given up while connecting (too slow, or closed): this connection is nobody's.
      if (mine !== generation) throw new Error('the connection was given up while it opened')
      const channel = await model.createConfirmChannel()
      const made: Link = { generation: mine, model, channel, unconfirmed: new Map() }
      channel.on('error', () => {})
      channel.on('close', onFailure)
      channel.on('return', (message: Message) => {
        const pending = made.unconfirmed.get(String(message.properties.messageId))
        if (pending) pending.returned = true
      })
      await setup?.(channel)
      if (mine !== generation) throw new Error('the connection was given up while it opened')
      return made
    } catch (error) {
      await model.close().catch(() => {})
      throw error
    }
  }

  async function publish(made: Link, key: string, messageId: string, body: Buffer): Promise<void> {
    // The same id again on this channel waits for the first one's confirm.
    for (let waiting = made.unconfirmed.get(messageId); waiting; waiting = made.unconfirmed.get(messageId)) {
      await waiting.settled
    }
    let settle = () => {}
    const pending = { returned: false, settled: new Promise<void>((resolve) => (settle = resolve)) }
    made.unconfirmed.set(messageId, pending)
    try {
      await within(
        new Promise<void>((resolve, reject) => {
          made.channel.publish(
            exchange,
            key,
            body,
            { ...publishOptions, messageId, persistent: true, mandatory: true, contentType: 'application/json' },
            (error: unknown) => (error ? reject(error) : resolve()),
          )
        }),
        `no confirm within ${timeoutMs} ms`,
      )
    } catch (error) {
      if (error instanceof Error && error.message === 'message nacked') {
        throw new QueueFullError('the broker refused the message (nack): a queue is full or the broker failed')
      }
      throw error
    } finally {
      made.unconfirmed.delete(messageId)
      settle()
    }
    // RabbitMQ sends a mandatory message's basic.return before its basic.ack: by now, `returned` is known.
    if (pending.returned) {
      throw new Unroutable(`no queue took the message (exchange '${exchange}', routing key '${key}')`)
    }
  }

  /** `promise`, or a rejection with `message` after `timeoutMs`. */
  async function within<T>(promise: Promise<T>, message: string): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), timeoutMs)
    })
    try {
      return await Promise.race([promise, timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  async function rabbitmqEnqueue(event: WebhookEvent): Promise<void> {
    if (event.id === null) throw new Error('rabbitmqHandoff: the event has no id; configure an event id')
    const key = routingKey(event)
    const body = Buffer.from(JSON.stringify(event))
    const made = await link()
    try {
      await publish(made, key, amqpMessageId(event.id, namespace), body)
    } catch (error) {
      // A returned or nacked message says nothing against the link; anything else does: open a fresh one next time.
      if (!(error instanceof Unroutable || error instanceof QueueFullError)) forget(made.generation)
      throw error
    }
  }

  return Object.assign(rabbitmqEnqueue, {
    async close(): Promise<void> {
      const closing = current
      current = undefined
      generation += 1
      if (closing) await closing.then((old) => old.model.close()).catch(() => {})
    },
  })
}

/** The broker returned the message: no queue is bound for its routing key. */
class Unroutable extends Error {
  override readonly name = 'Unroutable'
}

function routingKeyOf(routingKey: RabbitmqHandoffOptions['routingKey']): (event: WebhookEvent) => string {
  if (typeof routingKey === 'string') return () => routingKey
  if (typeof routingKey === 'function') {
    return (event) => {
      const value = routingKey(event)
      if (typeof value !== 'string') throw new Error('rabbitmqHandoff: routingKey() must return a string')
      return value
    }
  }
  throw new TypeError('rabbitmqHandoff: routingKey must be a string or a function')
}
