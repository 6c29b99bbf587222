import { createGuard, standardWebhooks, type WebhookEvent } from '@hookguard/core'
import { connect, type JetStreamManager, type NatsConnection, StorageType } from 'nats'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { reachable, runName, sampleEvent, signedRequest } from '../../../test/broker-helpers.js'
import { makeSecret } from '../../../test/redis-helpers.js'
import { jetstreamHandoff } from './jetstream-handoff.js'
import { natsMsgId } from './key.js'

const natsPort = 4222
const natsUp = await reachable(natsPort, 'the JetStream handoff tests (shared NATS)')

describe('jetstreamHandoff options', () => {
  const js = { publish: async () => ({}) } as never
  test.each([
    [null, { subject: 'a' }, 'jetstreamHandoff: js must be a JetStream client'],
    [js, null, 'jetstreamHandoff: options must be an object'],
    [js, {}, 'jetstreamHandoff: subject must be a NATS subject without wildcards, or a function'],
    [js, { subject: 'a.*' }, 'jetstreamHandoff: subject must be a NATS subject without wildcards, or a function'],
    [js, { subject: 'a.>' }, 'jetstreamHandoff: subject must be a NATS subject without wildcards, or a function'],
    [js, { subject: 'a..b' }, 'jetstreamHandoff: subject must be a NATS subject without wildcards, or a function'],
    [js, { subject: 'a b' }, 'jetstreamHandoff: subject must be a NATS subject without wildcards, or a function'],
    [js, { subject: '.a' }, 'jetstreamHandoff: subject must be a NATS subject without wildcards, or a function'],
    [js, { subject: 'a', namespace: '' }, 'jetstreamHandoff: namespace must be 1–256 printable ASCII characters'],
    [js, { subject: 'a', stream: '' }, 'jetstreamHandoff: stream must be a non-empty string'],
  ])('%#: %j is a TypeError naming the option', (client, options, message) => {
    expect(() => jetstreamHandoff(client as never, options as never)).toThrow(new TypeError(message))
  })

  test('message ids are namespaced without collisions', () => {
    expect(natsMsgId('msg_1')).toBe('9:hookguard:msg_1')
    expect(natsMsgId('b:c', 'a')).not.toBe(natsMsgId('c', 'a:b'))
  })
})

describe.skipIf(!natsUp)('jetstreamHandoff on the shared NATS', () => {
  const stream = runName('stream')
  const subjects = `${stream}.>`
  let nc: NatsConnection
  let jsm: JetStreamManager

  beforeAll(async () => {
    nc = await connect({ servers: `127.0.0.1:${natsPort}` })
    jsm = await nc.jetstreamManager()
    await jsm.streams.add({ name: stream, subjects: [subjects], storage: StorageType.Memory })
  })

  afterAll(async () => {
    await jsm?.streams.delete(stream).catch(() => {})
    await nc?.close()
  })

  async function stored(seq: number): Promise<{ msgId: string | undefined; subject: string; event: WebhookEvent }> {
    const message = await jsm.streams.getMessage(stream, { seq })
    return { msgId: message.header.get('Nats-Msg-Id'), subject: message.subject, event: message.json<WebhookEvent>() }
  }

  test('publishes the event as JSON with Nats-Msg-Id = the event key, and resolves on the stream ack', async () => {
    const enqueue = jetstreamHandoff(nc.jetstream(), { subject: `${stream}.events`, namespace: 'shop' })
    const event = sampleEvent()
    const ack = await enqueue(event)
    expect(ack).toMatchObject({ stream, duplicate: false })
    expect(await stored(ack.seq)).toEqual({ msgId: `4:shop:${event.id}`, subject: `${stream}.events`, event })
  })

  test('the same event again is acked as a duplicate: stored once', async () => {
    const enqueue = jetstreamHandoff(nc.jetstream(), { subject: `${stream}.events` })
    const event = sampleEvent()
    const first = await enqueue(event)
    const again = await enqueue({ ...event, receivedAt: new Date().toISOString() })
    expect(again).toMatchObject({ duplicate: true, seq: first.seq })
    expect((await jsm.streams.info(stream)).state.last_seq).toBe(first.seq)
  })

  test('the subject may follow the event; a function answering a wildcard fails the handoff', async () => {
    const enqueue = jetstreamHandoff(nc.jetstream(), { subject: (event) => `${stream}.${event.type}` })
    const ack = await enqueue(sampleEvent({ type: 'invoice.paid' }))
    expect((await stored(ack.seq)).subject).toBe(`${stream}.invoice.paid`)
    const bad = jetstreamHandoff(nc.jetstream(), { subject: () => `${stream}.*` })
    await expect(bad(sampleEvent())).rejects.toThrow(
      'jetstreamHandoff: subject() must return a subject without wildcards',
    )
  })

  test('a subject no stream captures fails (a plain publish would vanish); through a guard: 503 enqueue_failed', async () => {
    const enqueue = jetstreamHandoff(nc.jetstream(), { subject: `${runName('nostream')}.events` })
    await expect(enqueue(sampleEvent())).rejects.toThrow()
    const { key, whsec } = makeSecret()
    const guard = createGuard({ verify: [standardWebhooks({ secret: whsec })], enqueue })
    const answer = await guard.handle(signedRequest(key, `msg_${stream}`))
    expect(answer.status).toBe(503)
    expect(await answer.json()).toMatchObject({ code: 'enqueue_failed' })
  })

  test('stream: the publish fails unless that stream stores it', async () => {
    const subject = `${stream}.events`
    await expect(jetstreamHandoff(nc.jetstream(), { subject, stream: 'elsewhere' })(sampleEvent())).rejects.toThrow()
    expect(await jetstreamHandoff(nc.jetstream(), { subject, stream })(sampleEvent())).toMatchObject({ stream })
  })

  test('an event without an id is refused; a closed connection fails', async () => {
    const own = await connect({ servers: `127.0.0.1:${natsPort}` })
    const enqueue = jetstreamHandoff(own.jetstream(), { subject: `${stream}.events` })
    await expect(enqueue(sampleEvent({ id: null }))).rejects.toThrow('the event has no id')
    await own.close()
    await expect(enqueue(sampleEvent())).rejects.toThrow()
  })
})
