// Three receiver processes share one Redis and receive every event at the same moment: each id must be
// enqueued exactly once across them, and every other delivery answered 200 duplicate.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  deleteKeys,
  makeSecret,
  post,
  type Receiver,
  readQueue,
  redisAvailable,
  redisHost,
  sharedRedisPort,
  startReceivers,
  testPrefix,
} from './redis-helpers.js'

const redisUp = await redisAvailable(sharedRedisPort, 'the multi-process Redis test')

describe.skipIf(!redisUp)('several receiver processes sharing one Redis', () => {
  const processes = 3
  const events = 300
  const prefix = testPrefix('multi')
  const { key, whsec } = makeSecret()
  const receivers: Receiver[] = []
  const queueFiles: string[] = []
  let dir = ''

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hookguard-multi-'))
    // A random pause inside enqueue keeps the claim held while the other processes try.
    const names = Array.from({ length: processes }, (_, i) => `r${i}`)
    const started = await startReceivers(dir, names, {
      redisPort: sharedRedisPort,
      prefix,
      secret: whsec,
      enqueueDelayMs: 15,
    })
    receivers.push(...started.receivers)
    queueFiles.push(...started.queueFiles)
  }, 60_000)

  afterAll(async () => {
    await Promise.all(receivers.map((receiver) => receiver.stop()))
    const admin = new Redis({ host: redisHost, port: sharedRedisPort })
    await deleteKeys(admin, prefix)
    admin.disconnect()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  test('each id is enqueued exactly once; the other deliveries are acknowledged as duplicates', async () => {
    const statuses = new Map<string, number[]>()
    const retried = { inFlight: 0, other: 0 }
    /** One delivery to one receiver, retried (at most 200 times) until it gets a 2xx. */
    async function deliver(url: string, id: string, body: string): Promise<number> {
      for (let attempt = 0; attempt < 200; attempt++) {
        const status = await post(url, key, id, body)
        if (status >= 200 && status < 300) return status
        if (status === 409) retried.inFlight += 1
        else retried.other += 1
        await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 20))
      }
      return -1
    }
    const ids = Array.from({ length: events }, (_, i) => `evt_${prefix.split(':')[2]}_${i}`)
    for (let start = 0; start < ids.length; start += 20) {
      await Promise.all(
        ids.slice(start, start + 20).map(async (id) => {
          const body = JSON.stringify({ type: 'multi.test', data: { id } })
          // The same event reaches every process at once, as when a sender's retry overlaps the original.
          statuses.set(id, await Promise.all(receivers.map((receiver) => deliver(receiver.url, id, body))))
        }),
      )
    }

    const queue = await readQueue(queueFiles)
    const copies = new Map<string, number>()
    for (const entry of queue) copies.set(entry.id, (copies.get(entry.id) ?? 0) + 1)
    const byReceiver = new Set(queue.map((entry) => entry.receiver))
    console.log(
      `multi-process: ${events} events × ${processes} processes; enqueued ${queue.length}; ` +
        `retries after 409 in_flight ${retried.inFlight}, after other statuses ${retried.other}; ` +
        `enqueues by ${[...byReceiver].sort().join(', ')}`,
    )

    expect([...copies.keys()].sort()).toEqual([...ids].sort())
    expect([...copies.entries()].filter(([, count]) => count !== 1)).toEqual([])
    const expected = [...Array.from({ length: processes - 1 }, () => 200), 202]
    for (const id of ids) expect(statuses.get(id)!.sort()).toEqual(expected)
    // The races really happened across processes: more than one process won some of them.
    expect(byReceiver.size).toBeGreaterThan(1)
  }, 120_000)
})
