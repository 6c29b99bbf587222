// The BullMQ handoff of examples/express-redis-bullmq: the same event enqueued twice through the guard
// gives one job, even when the dedupe marker is gone, and the worker's handler is idempotent.

import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import type { WebhookEvent } from '@hookguard/core'
import { Queue, type Worker } from 'bullmq'
import type { Express } from 'express'
import { Redis } from 'ioredis'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createReceiver, jobIdFor } from '../examples/express-redis-bullmq/receiver.js'
import { handleEvent, startWorker } from '../examples/express-redis-bullmq/worker.js'
import { dedupeKey } from '../packages/core/src/dedupe/dedupe-key.js'
import {
  deleteKeys,
  failFast,
  makeSecret,
  redisAvailable,
  redisHost,
  sharedRedisPort,
  signedHeaders,
  testPrefix,
} from './redis-helpers.js'

const redisUp = await redisAvailable(sharedRedisPort, 'the BullMQ handoff test')

describe.skipIf(!redisUp)('BullMQ handoff (examples/express-redis-bullmq)', () => {
  const run = randomUUID().slice(0, 8)
  const queueName = `hgtest-webhooks-${run}`
  const bullPrefix = `hgtest-bull-${run}`
  const storePrefix = testPrefix('bullmq-store')
  const markerPrefix = testPrefix('bullmq-marker')
  const { key, whsec } = makeSecret()
  const clients: Redis[] = []
  let queue: Queue<WebhookEvent>
  let app: Express
  let storeClient: Redis
  let worker: Worker<WebhookEvent> | undefined

  function client(options = {}): Redis {
    const redis = new Redis({ host: redisHost, port: sharedRedisPort, ...options })
    clients.push(redis)
    return redis
  }

  beforeAll(async () => {
    storeClient = client(failFast)
    await new Promise((resolve) => storeClient.once('ready', resolve))
    queue = new Queue<WebhookEvent>(queueName, { connection: client(), prefix: bullPrefix })
    await queue.waitUntilReady()
    app = createReceiver({ secret: whsec, redis: storeClient, queue, prefix: storePrefix })
  })

  afterAll(async () => {
    await worker?.close()
    await queue?.obliterate({ force: true })
    await queue?.close()
    const admin = client()
    for (const prefix of [storePrefix, markerPrefix, `${bullPrefix}:${queueName}:`]) await deleteKeys(admin, prefix)
    for (const redis of clients) redis.disconnect()
  })

  function send(id: string, body: string) {
    return request(app)
      .post('/hooks/COMPLETED')
      .set(signedHeaders(key, id, body))
      .send(body)
  }

  test('a re-sent event is answered 200 duplicate and adds no second job', async () => {
    const id = `msg_${randomUUID()}`
    const body = JSON.stringify({ type: 'scan.completed', data: { scanId: id } })
    expect((await send(id, body)).status).toBe(202)
    const again = await send(id, body)
    expect(again.status).toBe(200)
    expect(again.body).toMatchObject({ code: 'duplicate' })
    const job = await queue.getJob(jobIdFor(id))
    expect(job?.data.id).toBe(id)
    expect(job?.name).toBe('COMPLETED')
  })

  test('with the dedupe marker lost, the guard enqueues again and BullMQ keeps one job (the first)', async () => {
    const id = `msg_${randomUUID()}`
    const body = JSON.stringify({ type: 'scan.completed', data: { scanId: id } })
    const before = await queue.count()
    expect((await send(id, body)).status).toBe(202)
    const first = await queue.getJob(jobIdFor(id))
    // What a Redis failover or an expired TTL does to the marker: the guard no longer knows the id.
    expect(await storeClient.del(`${storePrefix}${dedupeKey('hookguard', '', id)}`)).toBe(1)
    expect((await send(id, body)).status).toBe(202)
    expect(await queue.count()).toBe(before + 1)
    const kept = await queue.getJob(jobIdFor(id))
    expect(kept?.timestamp).toBe(first?.timestamp)
    expect(kept?.data.receivedAt).toBe(first?.data.receivedAt)
  })

  test('job ids stay unique and valid for ids BullMQ would refuse (integers, colons)', async () => {
    expect(jobIdFor('12345')).not.toBe('12345')
    expect(jobIdFor('a:b')).not.toContain(':')
    expect(jobIdFor('a:b')).not.toBe(jobIdFor('a%3Ab'))
    for (const id of ['12345', 'evt:with:colons']) {
      const body = JSON.stringify({ type: 'scan.completed', data: { scanId: id } })
      expect((await send(id, body)).status).toBe(202)
      expect((await queue.getJob(jobIdFor(id)))?.data.id).toBe(id)
    }
  })

  test('the worker processes each job; handling the same event again is skipped', async () => {
    const workerClient = client({ maxRetriesPerRequest: null })
    const markers = client()
    const id = `msg_${randomUUID()}`
    const body = JSON.stringify({ type: 'scan.completed', data: { scanId: id } })
    expect((await send(id, body)).status).toBe(202)
    const waiting = await queue.count()
    const done: string[] = []
    worker = startWorker({ queueName, connection: workerClient, redis: markers, markerPrefix, bullPrefix })
    worker.on('completed', (job, result) => {
      if (result === 'processed') done.push(job.data.id!)
    })
    while (done.length < waiting) await once(worker, 'completed')
    expect(done).toContain(id)
    expect(new Set(done).size).toBe(done.length)
    const job = await queue.getJob(jobIdFor(id))
    expect(await handleEvent(job!.data, markers, markerPrefix)).toBe('skipped')
  })
})
