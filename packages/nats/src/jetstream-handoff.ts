import type { WebhookEvent } from '@hookguard/core'
import type { JetStreamClient, JetStreamPublishOptions, PubAck } from 'nats'
import { checkNamespace, natsMsgId } from './key.js'
import { subjectOf } from './subject.js'

/** Options for {@link jetstreamHandoff}. */
export interface JetstreamHandoffOptions {
  /**
   * Where each event is published: a subject, or one per event, e.g.
   * `(event) => \`webhooks.${event.type}\``. No wildcards (`*`, `>`), no empty
   * tokens; a function's answer is checked on every call. A stream must
   * capture the subject, or the publish fails.
   */
  subject: string | ((event: WebhookEvent) => string)
  /** Part of every message id ({@link natsMsgId}), so receivers that share a stream never share an id. Default `hookguard`. */
  namespace?: string
  /** When set, the publish fails unless this stream stores the message. Default: any stream. */
  stream?: string
}

const encoder = new TextEncoder()

/**
 * An `enqueue` for `createGuard` that publishes each event, as JSON, to
 * JetStream with the `Nats-Msg-Id` header set to the event's key and resolves
 * only on the stream's publish ack. An ack marked `duplicate` (the stream
 * already holds that id, within its duplicate window) resolves too: the event
 * is stored. No ack in time, no stream for the subject, or a closed connection
 * throws, and the guard answers 503. Events without an id are refused.
 *
 * @example
 * ```ts
 * import { createGuard, standardWebhooks } from '@hookguard/core'
 * import { jetstreamHandoff } from '@hookguard/nats'
 * import { connect } from 'nats'
 *
 * const nc = await connect({ servers: '127.0.0.1:4222', maxReconnectAttempts: -1 })
 * const guard = createGuard({
 *   verify: [standardWebhooks({ secret: process.env.WEBHOOK_SECRET! })],
 *   enqueue: jetstreamHandoff(nc.jetstream(), { subject: (event) => `webhooks.${event.type ?? 'unknown'}` }),
 * })
 * ```
 */
export function jetstreamHandoff(
  js: JetStreamClient,
  options: JetstreamHandoffOptions,
): (event: WebhookEvent) => Promise<PubAck> {
  if (!js || typeof js.publish !== 'function') throw new TypeError('jetstreamHandoff: js must be a JetStream client')
  if (!options || typeof options !== 'object') throw new TypeError('jetstreamHandoff: options must be an object')
  const subject = subjectOf('jetstreamHandoff', options.subject)
  const namespace = checkNamespace('jetstreamHandoff', options.namespace ?? 'hookguard')
  const { stream } = options
  if (stream !== undefined && (typeof stream !== 'string' || stream === '')) {
    throw new TypeError('jetstreamHandoff: stream must be a non-empty string')
  }

  return async function jetstreamEnqueue(event: WebhookEvent): Promise<PubAck> {
    if (event.id === null) throw new Error('jetstreamHandoff: the event has no id; configure an event id')
    const publish: Partial<JetStreamPublishOptions> = { msgID: natsMsgId(event.id, namespace) }
    if (stream !== undefined) publish.expect = { streamName: stream }
    return await js.publish(subject(event), encoder.encode(JSON.stringify(event)), publish)
  }
}
