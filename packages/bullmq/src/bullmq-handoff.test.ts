import { createGuard, standardWebhooks, type WebhookEvent } from '@hookguard/core'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { runName, sampleEvent, signedRequest } from '../../../test/broker-helpers.js'
import {
  deleteKeys,
  freePort,
  makeSecret,
  redisAvailable,
  redisHost,
  sharedRedisPort,
} from '../../../test/redis-helpers.js'
import { bullmqHandoff } from './bullmq-handoff.js'
import { bullmqJobId } from './key.js'

const redisUp = await redisAvailable(sharedRedisPort, 'the BullMQ handoff tests')

describe('bullmqHandoff options', () => {
  const queue = { add: async () => ({}), getJob: async () => undefined } as never
  test.each([
    [null, {}, 'bullmqHandoff: queue must be a BullMQ Queue'],
    [queue, { namespace: '' }, 'bullmqHandoff: namespace must be 1–256 printable ASCII characters'],
    [queue, { namespace: 'a b' }, 'bullmqHandoff: namespace must be 1–256 printable ASCII characters'],
    [queue, { name: '' }, 'bullmqHandoff: name must be a non-empty string or a function'],
    [queue, { jobOptions: { jobId: 'x' } }, 'bullmqHandoff: jobOptions must not set jobId (it is the event id)'],
    [queue, { jobOptions: 'x' }, 'bullmqHandoff: jobOptions must be an object'],
  ])('%#: %j is a TypeError naming the option', (q, options, message) => {
    expect(() => bullmqHandoff(q as never, options as never)).toThrow(new TypeError(message))
  })
})

describe('bullmqJobId', () => {
  test('never contains ":" and never reads as an integer', () => {
    for (const id of ['12345', 'a:b', '0', '0:1', 'x'.repeat(256)]) {
      const jobId = bullmqJobId(id, 'n')
      expect(jobId).not.toContain(':')
      expect(`${Number.parseInt(jobId, 10)}`).not.toBe(jobId)
    }
  })

  test('no two (namespace, id) pairs give the same job id', () => {
    const pairs: [string, string][] = [
      ['a', 'b:c'],
      ['a:b', 'c'],
      ['a', 'b%3Ac'],
      ['a%3Ab', 'c'],
      ['1:a', 'b'],
      ['1', 'a:b'],
      ['hookguard', 'x'],
      ['hookguar', 'dx'],
    ]
    const ids = pairs.map(([namespace, id]) => bullmqJobId(id, namespace))
    expect(new Set(ids).size).toBe(pairs.length)
    // and the key it encodes is the length-prefixed one, readable once decoded
    expect(decodeURIComponent(bullmqJobId('b:c', 'a'))).toBe('1:a:b:c')
  })
})

describe.skipIf(!redisUp)('bullmqHandoff on the shared Redis', () => {
  const name = runName('bullmq')
  const prefix = `${name}-bull`
  const clients: Redis[] = []
  const queues: Queue[] = []
  let queue: Queue<WebhookEvent>

  function newQueue(port = sharedRedisPort): Queue<WebhookEvent> {
    const q = new Queue<WebhookEvent>(name, {
      connection: { host: redisHost, port, enableOfflineQueue: false, retryStrategy: () => null },
      prefix,
    })
    q.on('error', () => {})
    queues.push(q)
    return q
  }

  beforeAll(async () => {
    queue = newQueue()
    await queue.waitUntilReady()
  })

  afterAll(async () => {
    await queue.obliterate({ force: true }).catch(() => {})
    for (const q of queues) await q.close().catch(() => {})
    const admin = new Redis({ host: redisHost, port: sharedRedisPort })
    clients.push(admin)
    await deleteKeys(admin, `${prefix}:`)
    for (const client of clients) client.disconnect()
  })

  test('adds one job per event: the event as data, the job id from the namespaced key, the type as name', async () => {
    const enqueue = bullmqHandoff(queue, { namespace: 'shop', jobOptions: { attempts: 3 } })
    const event = sampleEvent({ id: 'evt:1' })
    expect(await enqueue(event)).toBe('added')
    const job = await queue.getJob(bullmqJobId('evt:1', 'shop'))
    expect(job?.data).toEqual(event)
    expect(job?.name).toBe('scan.completed')
    expect(job?.opts.attempts).toBe(3)
  })

  test('the same event again resolves and keeps the first job (not a second, not a silent drop)', async () => {
    const enqueue = bullmqHandoff(queue)
    const first = sampleEvent()
    const again = { ...first, receivedAt: new Date(Date.now() + 1_000).toISOString() }
    expect(await enqueue(first)).toBe('added')
    expect(await enqueue(again)).toBe('existing')
    const job = await queue.getJob(bullmqJobId(first.id!))
    expect(job?.data.receivedAt).toBe(first.receivedAt)
    expect(await queue.getJobCountByTypes('waiting')).toBeGreaterThanOrEqual(1)
  })

  test('a job id that holds another event is not taken for this one: the handoff throws', async () => {
    const event = sampleEvent()
    const jobId = bullmqJobId(event.id!)
    // Another producer (or a key function gone wrong) used the same job id for something else.
    await queue.add('other', sampleEvent({ id: 'someone-else' }), { jobId })
    await expect(bullmqHandoff(queue)(event)).rejects.toThrow(
      `bullmqHandoff: job ${jobId} exists and holds another event`,
    )
  })

  test('different namespaces never share a job', async () => {
    const event = sampleEvent()
    expect(await bullmqHandoff(queue, { namespace: 'a' })(event)).toBe('added')
    expect(await bullmqHandoff(queue, { namespace: 'b' })(event)).toBe('added')
  })

  test('name may be a function of the event; an empty name fails the handoff', async () => {
    const event = sampleEvent()
    await bullmqHandoff(queue, { name: (e) => `hook.${e.type}` })(event)
    expect((await queue.getJob(bullmqJobId(event.id!)))?.name).toBe('hook.scan.completed')
    await expect(bullmqHandoff(queue, { name: () => '' })(sampleEvent())).rejects.toThrow(
      'bullmqHandoff: name() must return a non-empty string',
    )
  })

  test('an event without an id is refused', async () => {
    await expect(bullmqHandoff(queue)(sampleEvent({ id: null }))).rejects.toThrow('the event has no id')
  })

  test('through a guard: 202, then 200 duplicate; Redis unreachable answers 503 enqueue_failed', async () => {
    const { key, whsec } = makeSecret()
    const guard = createGuard({ verify: [standardWebhooks({ secret: whsec })], enqueue: bullmqHandoff(queue) })
    const id = `msg_${name}_guard`
    expect((await guard.handle(signedRequest(key, id))).status).toBe(202)
    expect(await (await guard.handle(signedRequest(key, id))).json()).toMatchObject({ status: 200, code: 'duplicate' })
    expect((await queue.getJob(bullmqJobId(id)))?.data.id).toBe(id)

    const down = newQueue(await freePort())
    const failing = createGuard({ verify: [standardWebhooks({ secret: whsec })], enqueue: bullmqHandoff(down) })
    const answer = await failing.handle(signedRequest(key, `msg_${name}_down`))
    expect(answer.status).toBe(503)
    expect(await answer.json()).toMatchObject({ code: 'enqueue_failed' })
  })
})
