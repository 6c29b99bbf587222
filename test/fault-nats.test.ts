// Fault test of @hookguard/nats: two receiver processes (Express + hookguard + jetstreamHandoff, dedupe on a private
// Redis) take unique events plus 20% re-sends from a sender that retries every non-2xx, while their private
// nats-server (JetStream, file storage) is SIGKILLed and restarted twice and one receiver is SIGKILLed once.
// At the end every message is read from the stream: 0 lost, 0 acks without the message stored, every event acked.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { WebhookEvent } from '@hookguard/core'
import { natsMsgId } from '@hookguard/nats'
import { connect, nanos, StorageType } from 'nats'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  type BrokerReceiver,
  installed,
  type PrivateServer,
  receiverCounters,
  runBrokerFaultLoad,
  startBrokerReceiver,
  startPrivateNats,
} from './fault-helpers.js'
import { loadReport, tally } from './fault-load.js'
import { makeSecret, type PrivateRedis, startPrivateRedis, testPrefix } from './redis-helpers.js'

const natsServerInstalled = installed('nats-server', 'the NATS fault test')
const redisServerInstalled = installed('redis-server', 'the NATS fault test (its dedupe store)')

const uniqueEvents = 5_000
const stream = 'WEBHOOKS'
const subjectPrefix = 'webhooks'
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe.skipIf(!natsServerInstalled || !redisServerInstalled)(
  'fault: JetStream handoff while nats-server restarts and a receiver is killed',
  () => {
    const { key, whsec } = makeSecret()
    const run = testPrefix('fault-nats').split(':')[2]!
    const receivers: BrokerReceiver[] = []
    const stopped: BrokerReceiver[] = []
    let nats: PrivateServer | undefined
    let redis: PrivateRedis | undefined
    let dir = ''
    let env: Record<string, string> = {}

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'hookguard-fault-nats-'))
      nats = await startPrivateNats(dir)
      redis = await startPrivateRedis()
      const nc = await connect({ servers: `127.0.0.1:${nats.port}` })
      const jsm = await nc.jetstreamManager()
      await jsm.streams.add({
        name: stream,
        subjects: [`${subjectPrefix}.>`],
        storage: StorageType.File,
        duplicate_window: nanos(120_000),
      })
      await nc.close()
      env = {
        BROKER: 'nats',
        STORE_REDIS_PORT: String(redis.port),
        STORE_PREFIX: `hgstore:${run}:`,
        WEBHOOK_SECRET: whsec,
        LEASE_MS: '3000',
        NATS_PORT: String(nats.port),
        SUBJECT_PREFIX: subjectPrefix,
        STREAM: stream,
      }
      receivers.push(...(await Promise.all(['a', 'b'].map((name) => startBrokerReceiver(name, env)))))
    }, 60_000)

    afterAll(async () => {
      await Promise.all(receivers.map((receiver) => receiver.stop()))
      await nats?.kill()
      await redis?.kill()
      if (dir) await rm(dir, { recursive: true, force: true })
    })

    async function restartNats(): Promise<void> {
      await nats!.kill()
      await sleep(500)
      await nats!.start()
    }

    test('0 lost, 0 false acks, every event acked; duplicates counted', async () => {
      const ids = Array.from({ length: uniqueEvents }, (_, i) => `evt_${run}_${i}`)
      const result = await runBrokerFaultLoad({
        key,
        ids,
        env,
        receivers,
        stopped,
        brokerFault: { label: 'nats-server SIGKILLed, restarted after 500 ms', run: restartNats },
      })

      // Read every message back from the stream, by sequence.
      const nc = await connect({ servers: `127.0.0.1:${nats!.port}` })
      const jsm = await nc.jetstreamManager()
      const { state } = await jsm.streams.info(stream)
      const copies = new Map<string, number>()
      let wrongMsgIds = 0
      for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
        const message = await jsm.streams.getMessage(stream, { seq })
        const event = message.json<WebhookEvent>()
        if (message.header.get('Nats-Msg-Id') !== natsMsgId(event.id!)) wrongMsgIds += 1
        copies.set(event.id!, (copies.get(event.id!) ?? 0) + 1)
      }
      await nc.close()
      const { lost, falseAcks, duplicates, strangers } = tally(ids, result.ackedAt, copies)

      const counters = stopped.map(receiverCounters)
      const sum = (field: string) => counters.reduce((total, c) => total + (c[field] ?? 0), 0)
      console.log('fault test (JetStream handoff, nats-server SIGKILL x2, a receiver SIGKILLed):\n', {
        'unique events': uniqueEvents,
        ...loadReport(result),
        'messages in the stream': state.messages,
        'publishes stored (surviving receivers)': sum('stored'),
        'publishes acked as duplicate (copies past dedupe, dropped by Nats-Msg-Id)': sum('duplicateAck'),
        'enqueue failures (503)': sum('enqueueFailed'),
        lost: lost.length,
        'false acks': falseAcks.length,
        'duplicate messages in the stream': duplicates,
      })

      expect(result.ran).toHaveLength(3)
      expect(result.gaveUp).toBe(0)
      expect(lost).toEqual([])
      expect(falseAcks).toEqual([])
      expect(result.ackedAt.size).toBe(uniqueEvents)
      expect(strangers).toEqual([])
      expect(wrongMsgIds).toBe(0)
      // Every copy came within the duplicate window, so the stream holds each event once.
      expect(duplicates).toBe(0)
      expect((result.statusCounts.get(503) ?? 0) + (result.statusCounts.get(0) ?? 0)).toBeGreaterThan(0)
    }, 150_000)
  },
)
