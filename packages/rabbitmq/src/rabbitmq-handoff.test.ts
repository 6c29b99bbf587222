import { once } from 'node:events'
import { type AddressInfo, createServer, type Socket } from 'node:net'
import { createGuard, QueueFullError, standardWebhooks, type WebhookEvent } from '@hookguard/core'
import { type Channel, type ChannelModel, connect } from 'amqplib'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { reachable, runName, sampleEvent, signedRequest } from '../../../test/broker-helpers.js'
import { makeSecret } from '../../../test/redis-helpers.js'
import { startTcpProxy, type TcpProxy } from '../../../test/tcp-proxy.js'
import { amqpMessageId } from './key.js'
import { type RabbitmqHandoffOptions, rabbitmqHandoff } from './rabbitmq-handoff.js'

const amqpPort = 5672
const rabbitUp = await reachable(amqpPort, 'the RabbitMQ handoff tests (shared RabbitMQ)')

describe('rabbitmqHandoff options', () => {
  const connectFn = async () => ({}) as never
  test.each([
    [null, 'rabbitmqHandoff: options must be an object'],
    [{ routingKey: 'q' }, 'rabbitmqHandoff: connect must be a function'],
    [{ connect: connectFn }, 'rabbitmqHandoff: routingKey must be a string or a function'],
    [{ connect: connectFn, routingKey: 'q', exchange: 1 }, 'rabbitmqHandoff: exchange must be a string'],
    [{ connect: connectFn, routingKey: 'q', setup: 'x' }, 'rabbitmqHandoff: setup must be a function'],
    [
      { connect: connectFn, routingKey: 'q', namespace: 'a b' },
      'rabbitmqHandoff: namespace must be 1–256 printable ASCII characters',
    ],
    [{ connect: connectFn, routingKey: 'q', timeoutMs: 0 }, 'rabbitmqHandoff: timeoutMs must be a positive number'],
    [
      { connect: connectFn, routingKey: 'q', timeoutMs: Number.NaN },
      'rabbitmqHandoff: timeoutMs must be a positive number',
    ],
    [{ connect: connectFn, routingKey: 'q', publishOptions: 1 }, 'rabbitmqHandoff: publishOptions must be an object'],
  ])('%#: %j is a TypeError naming the option', (options, message) => {
    expect(() => rabbitmqHandoff(options as never)).toThrow(new TypeError(message))
  })
})

describe.skipIf(!rabbitUp)('rabbitmqHandoff on the shared RabbitMQ', () => {
  const queue = runName('rabbit')
  const url = (port: number) => `amqp://guest:guest@127.0.0.1:${port}`
  let admin: ChannelModel
  let channel: Channel
  let proxy: TcpProxy
  const handoffs: { close(): Promise<void> }[] = []

  beforeAll(async () => {
    admin = await connect(url(amqpPort))
    channel = await admin.createChannel()
    await channel.assertQueue(queue, { durable: true })
    proxy = await startTcpProxy(amqpPort)
  })

  afterAll(async () => {
    for (const handoff of handoffs) await handoff.close()
    await channel?.deleteQueue(queue).catch(() => {})
    await channel?.deleteQueue(`${queue}-full`).catch(() => {})
    await channel?.deleteExchange(`${queue}-x`).catch(() => {})
    await admin?.close()
    await proxy?.close()
  })

  /** A handoff through the proxy that counts its connections. */
  function handoff(options: Partial<RabbitmqHandoffOptions> = {}) {
    const counts = { connects: 0 }
    const made = rabbitmqHandoff({
      connect: async () => {
        counts.connects += 1
        return await connect(url(proxy.port))
      },
      routingKey: queue,
      ...options,
    })
    handoffs.push(made)
    return Object.assign(made, { counts })
  }

  /** Takes every message now in the queue. */
  async function drain(name = queue) {
    const messages = []
    for (
      let message = await channel.get(name, { noAck: true });
      message;
      message = await channel.get(name, { noAck: true })
    ) {
      messages.push(message)
    }
    return messages
  }

  test('publishes the event as persistent JSON with messageId = the event key, confirmed', async () => {
    const enqueue = handoff({ namespace: 'shop' })
    const event = sampleEvent()
    await enqueue(event)
    const [message, ...rest] = await drain()
    expect(rest).toEqual([])
    expect(message?.properties).toMatchObject({
      messageId: `4:shop:${event.id}`,
      deliveryMode: 2,
      contentType: 'application/json',
    })
    expect(JSON.parse(message!.content.toString()) as WebhookEvent).toEqual(event)
    expect(amqpMessageId(event.id!, 'shop')).toBe(`4:shop:${event.id}`)
  })

  test('a message no queue takes is a failure, not a silent drop; the connection stays', async () => {
    const enqueue = handoff({ routingKey: (event) => (event.type === 'lost' ? runName('nowhere') : queue) })
    await expect(enqueue(sampleEvent({ type: 'lost' }))).rejects.toThrow('no queue took the message')
    await enqueue(sampleEvent())
    expect(enqueue.counts.connects).toBe(1)
    expect(await drain()).toHaveLength(1)
  })

  test('two publishes of one id at once: only the returned one fails', async () => {
    const enqueue = handoff({ routingKey: (event) => (event.type === 'lost' ? runName('nowhere') : queue) })
    const id = `msg_${runName('same')}`
    const [lost, kept] = await Promise.allSettled([
      enqueue(sampleEvent({ id, type: 'lost' })),
      enqueue(sampleEvent({ id, type: 'kept' })),
    ])
    expect(lost.status).toBe('rejected')
    expect(kept.status).toBe('fulfilled')
    const messages = await drain()
    expect(messages.map((m) => (JSON.parse(m.content.toString()) as WebhookEvent).type)).toEqual(['kept'])
  })

  test('a nack (full queue, x-overflow reject-publish) is QueueFullError: 503 queue_full through a guard', async () => {
    const full = `${queue}-full`
    await channel.assertQueue(full, { durable: true, arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } })
    const enqueue = handoff({ routingKey: full })
    await enqueue(sampleEvent())
    await expect(enqueue(sampleEvent())).rejects.toBeInstanceOf(QueueFullError)
    const { key, whsec } = makeSecret()
    const guard = createGuard({ verify: [standardWebhooks({ secret: whsec })], enqueue })
    const answer = await guard.handle(signedRequest(key, `msg_${queue}_full`))
    expect(answer.status).toBe(503)
    expect(await answer.json()).toMatchObject({ code: 'queue_full' })
    expect(enqueue.counts.connects).toBe(1)
  })

  test('a connection dropped under a publish fails that one; the next enqueue opens a fresh connection', async () => {
    const enqueue = handoff()
    await enqueue(sampleEvent())
    proxy.stall()
    const inFlight = enqueue(sampleEvent())
    proxy.drop()
    await expect(inFlight).rejects.toThrow()
    await enqueue(sampleEvent())
    expect(enqueue.counts.connects).toBe(2)
    expect((await drain()).length).toBeGreaterThanOrEqual(2)
  })

  test('no confirm within timeoutMs (a half-open connection) fails, and the next enqueue reconnects', async () => {
    const enqueue = handoff({ timeoutMs: 300 })
    await enqueue(sampleEvent())
    proxy.stall()
    await expect(enqueue(sampleEvent())).rejects.toThrow('no confirm within 300 ms')
    await enqueue(sampleEvent())
    expect(enqueue.counts.connects).toBe(2)
    proxy.drop()
    await drain()
  })

  test('a connection that does not open within timeoutMs is given up; the next enqueue tries a fresh one', async () => {
    // First a server that accepts TCP connections and never speaks AMQP, then the real broker.
    const held: Socket[] = []
    const silent = createServer((socket) => void held.push(socket))
    silent.listen(0, '127.0.0.1')
    await once(silent, 'listening')
    const ports = [(silent.address() as AddressInfo).port, amqpPort]
    const enqueue = rabbitmqHandoff({ connect: () => connect(url(ports.shift()!)), routingKey: queue, timeoutMs: 300 })
    handoffs.push(enqueue)
    await expect(enqueue(sampleEvent())).rejects.toThrow('no connection within 300 ms')
    await enqueue(sampleEvent())
    expect(ports).toEqual([])
    for (const socket of held) socket.destroy()
    silent.close()
    expect(await drain()).toHaveLength(1)
  })

  test('broker unreachable: the enqueue fails (503 enqueue_failed), and works again once it is back', async () => {
    const enqueue = handoff()
    await proxy.down()
    const { key, whsec } = makeSecret()
    const guard = createGuard({ verify: [standardWebhooks({ secret: whsec })], enqueue })
    const answer = await guard.handle(signedRequest(key, `msg_${queue}_down`))
    expect(await answer.json()).toMatchObject({ status: 503, code: 'enqueue_failed' })
    await proxy.up()
    expect((await guard.handle(signedRequest(key, `msg_${queue}_down`))).status).toBe(202)
    expect(await drain()).toHaveLength(1)
  })

  test('a channel the broker closed (its exchange deleted) is replaced, and setup declares it again', async () => {
    const exchange = `${queue}-x`
    const enqueue = handoff({
      exchange,
      setup: async (ch) => {
        await ch.assertExchange(exchange, 'direct', { durable: false })
        await ch.bindQueue(queue, exchange, 'hooks')
      },
      routingKey: 'hooks',
    })
    await enqueue(sampleEvent())
    await channel.deleteExchange(exchange)
    await expect(enqueue(sampleEvent())).rejects.toThrow()
    await enqueue(sampleEvent())
    expect(enqueue.counts.connects).toBe(2)
    expect(await drain()).toHaveLength(2)
  })

  test('an event without an id is refused', async () => {
    await expect(handoff()(sampleEvent({ id: null }))).rejects.toThrow('the event has no id')
  })
})
