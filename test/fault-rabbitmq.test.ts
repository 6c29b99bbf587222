// Fault test of @hookguard/rabbitmq: two receiver processes (Express + hookguard + rabbitmqHandoff, dedupe on a
// private Redis) take unique events plus 20% re-sends from a sender that retries every non-2xx. Their AMQP
// connections to the shared RabbitMQ (never restarted: others use it) pass through a local TCP proxy, which cuts
// every connection and refuses new ones for 500 ms, twice; one receiver is SIGKILLed once. At the end every
// message is read from the run's own queue (deleted after): 0 lost, 0 acks without a confirm, every event acked.

import type { WebhookEvent } from '@hookguard/core'
import { amqpMessageId } from '@hookguard/rabbitmq'
import { type Channel, type ChannelModel, connect } from 'amqplib'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { reachable, runName } from './broker-helpers.js'
import {
  type BrokerReceiver,
  installed,
  receiverCounters,
  runBrokerFaultLoad,
  startBrokerReceiver,
} from './fault-helpers.js'
import { loadReport, tally } from './fault-load.js'
import { makeSecret, type PrivateRedis, startPrivateRedis } from './redis-helpers.js'
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js'

const amqpPort = 5672
const rabbitUp = await reachable(amqpPort, 'the RabbitMQ fault test')
const redisServerInstalled = installed('redis-server', 'the RabbitMQ fault test (its dedupe store)')

const uniqueEvents = 5_000
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe.skipIf(!rabbitUp || !redisServerInstalled)(
  'fault: RabbitMQ handoff while its connections are cut and a receiver is killed',
  () => {
    const { key, whsec } = makeSecret()
    const queue = runName('fault-rabbit')
    const receivers: BrokerReceiver[] = []
    const stopped: BrokerReceiver[] = []
    let proxy: TcpProxy | undefined
    let redis: PrivateRedis | undefined
    let admin: ChannelModel | undefined
    let channel: Channel | undefined
    let env: Record<string, string> = {}

    beforeAll(async () => {
      admin = await connect(`amqp://guest:guest@127.0.0.1:${amqpPort}`)
      channel = await admin.createChannel()
      await channel.assertQueue(queue, { durable: true })
      proxy = await startTcpProxy(amqpPort)
      redis = await startPrivateRedis()
      env = {
        BROKER: 'rabbitmq',
        STORE_REDIS_PORT: String(redis.port),
        STORE_PREFIX: `hgstore:${queue}:`,
        WEBHOOK_SECRET: whsec,
        LEASE_MS: '3000',
        AMQP_PORT: String(proxy.port),
        QUEUE_NAME: queue,
      }
      receivers.push(...(await Promise.all(['a', 'b'].map((name) => startBrokerReceiver(name, env)))))
    }, 60_000)

    afterAll(async () => {
      await Promise.all(receivers.map((receiver) => receiver.stop()))
      await proxy?.close()
      await redis?.kill()
      await channel?.deleteQueue(queue).catch(() => {})
      await admin?.close()
    })

    async function cutConnections(): Promise<void> {
      await proxy!.down()
      await sleep(500)
      await proxy!.up()
    }

    test('0 lost, 0 false acks, every event acked; duplicates counted', async () => {
      const ids = Array.from({ length: uniqueEvents }, (_, i) => `evt_${queue}_${i}`)
      const result = await runBrokerFaultLoad({
        key,
        ids,
        env,
        receivers,
        stopped,
        brokerFault: { label: 'AMQP connections cut, refused for 500 ms', run: cutConnections },
      })

      // Read every message from the queue.
      const { messageCount } = await channel!.checkQueue(queue)
      const copies = new Map<string, number>()
      let wrong = 0
      for (let m = await channel!.get(queue, { noAck: true }); m; m = await channel!.get(queue, { noAck: true })) {
        const event = JSON.parse(m.content.toString()) as WebhookEvent
        if (m.properties.messageId !== amqpMessageId(event.id!) || m.properties.deliveryMode !== 2) wrong += 1
        copies.set(event.id!, (copies.get(event.id!) ?? 0) + 1)
      }
      const { lost, falseAcks, duplicates, strangers } = tally(ids, result.ackedAt, copies)

      const counters = stopped.map(receiverCounters)
      const sum = (field: string) => counters.reduce((total, c) => total + (c[field] ?? 0), 0)
      console.log('fault test (RabbitMQ handoff, connections cut x2, a receiver SIGKILLed):\n', {
        'unique events': uniqueEvents,
        ...loadReport(result),
        'AMQP connections opened': proxy!.accepted,
        'messages in the queue': messageCount,
        'publishes confirmed (surviving receivers)': sum('confirmed'),
        'enqueue failures (503)': sum('enqueueFailed'),
        lost: lost.length,
        'false acks': falseAcks.length,
        'duplicate messages in the queue': duplicates,
      })

      expect(result.ran).toHaveLength(3)
      expect(result.gaveUp).toBe(0)
      expect(lost).toEqual([])
      expect(falseAcks).toEqual([])
      expect(result.ackedAt.size).toBe(uniqueEvents)
      expect(strangers).toEqual([])
      expect(wrong).toBe(0)
      // The receivers reconnected after each cut, and the cuts cost some deliveries a 503.
      expect(proxy!.accepted).toBeGreaterThanOrEqual(6)
      expect(result.statusCounts.get(503) ?? 0).toBeGreaterThan(0)
    }, 150_000)
  },
)
