// Fault test of @hookguard/bullmq: two receiver processes (Express + hookguard + bullmqHandoff, dedupe on the same
// Redis as the queue) take unique events plus 20% re-sends from a sender that retries every non-2xx, while their
// private redis-server (AOF, fsync always) is SIGKILLed and restarted twice and one receiver is SIGKILLed once.
// At the end every job is read from the queue: 0 lost, 0 acks without the job in Redis, every event acked.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bullmqJobId } from '@hookguard/bullmq'
import type { WebhookEvent } from '@hookguard/core'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  type BrokerReceiver,
  installed,
  type PrivateServer,
  receiverCounters,
  runBrokerFaultLoad,
  startBrokerReceiver,
  startPersistentRedis,
} from './fault-helpers.js'
import { loadReport, tally } from './fault-load.js'
import { makeSecret, testPrefix } from './redis-helpers.js'

const redisServerInstalled = installed('redis-server', 'the BullMQ fault test')

const uniqueEvents = 5_000
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe.skipIf(!redisServerInstalled)('fault: BullMQ handoff while Redis restarts and a receiver is killed', () => {
  const { key, whsec } = makeSecret()
  const run = testPrefix('fault-bullmq').split(':')[2]!
  const queueName = `hgtest-fault-${run}`
  const bullPrefix = 'hgbull'
  const receivers: BrokerReceiver[] = []
  const stopped: BrokerReceiver[] = []
  let redis: PrivateServer | undefined
  let dir = ''
  let env: Record<string, string> = {}

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hookguard-fault-bullmq-'))
    redis = await startPersistentRedis(dir)
    env = {
      BROKER: 'bullmq',
      STORE_REDIS_PORT: String(redis.port),
      STORE_PREFIX: `hgstore:${run}:`,
      WEBHOOK_SECRET: whsec,
      LEASE_MS: '3000',
      BULLMQ_REDIS_PORT: String(redis.port),
      QUEUE_NAME: queueName,
      BULL_PREFIX: bullPrefix,
    }
    receivers.push(...(await Promise.all(['a', 'b'].map((name) => startBrokerReceiver(name, env)))))
  }, 60_000)

  afterAll(async () => {
    await Promise.all(receivers.map((receiver) => receiver.stop()))
    await redis?.kill()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  async function restartRedis(): Promise<void> {
    await redis!.kill()
    await sleep(500)
    await redis!.start()
  }

  test('0 lost, 0 false acks, every event acked; the queue holds one job per event', async () => {
    const ids = Array.from({ length: uniqueEvents }, (_, i) => `evt_${run}_${i}`)
    const result = await runBrokerFaultLoad({
      key,
      ids,
      env,
      receivers,
      stopped,
      brokerFault: { label: 'Redis SIGKILLed, restarted after 500 ms', run: restartRedis },
    })

    // Read every job back from Redis, through BullMQ.
    const connection = new Redis({ host: '127.0.0.1', port: redis!.port, maxRetriesPerRequest: null })
    const queue = new Queue<WebhookEvent>(queueName, { connection, prefix: bullPrefix })
    const jobs = await queue.getJobs(['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed'], 0, -1)
    await queue.close()
    connection.disconnect()
    const copies = new Map<string, number>()
    for (const job of jobs) copies.set(job.data.id!, (copies.get(job.data.id!) ?? 0) + 1)
    const wrongJobIds = jobs.filter((job) => job.id !== bullmqJobId(job.data.id!)).length
    const { lost, falseAcks, duplicates, strangers } = tally(ids, result.ackedAt, copies)

    const counters = stopped.map(receiverCounters)
    const sum = (field: string) => counters.reduce((total, c) => total + (c[field] ?? 0), 0)
    console.log('fault test (BullMQ handoff, Redis SIGKILL x2, a receiver SIGKILLed):\n', {
      'unique events': uniqueEvents,
      ...loadReport(result),
      'jobs in the queue': jobs.length,
      'handoffs that added a job (surviving receivers)': sum('added'),
      'handoffs that found the job there (copies past dedupe, collapsed by job id)': sum('existing') + sum('gone'),
      'enqueue failures (503)': sum('enqueueFailed'),
      'store errors (guard counter)': sum('storeErrors'),
      lost: lost.length,
      'false acks': falseAcks.length,
      'duplicate jobs': duplicates,
    })

    expect(result.ran.map((r) => r.label)).toHaveLength(3)
    expect(result.gaveUp).toBe(0)
    expect(lost).toEqual([])
    expect(falseAcks).toEqual([])
    expect(result.ackedAt.size).toBe(uniqueEvents)
    expect(strangers).toEqual([])
    expect(wrongJobIds).toBe(0)
    expect(duplicates).toBe(0)
    // The faults really happened: deliveries met a dead Redis or a dead receiver.
    expect((result.statusCounts.get(503) ?? 0) + (result.statusCounts.get(0) ?? 0)).toBeGreaterThan(0)
  }, 150_000)
})
