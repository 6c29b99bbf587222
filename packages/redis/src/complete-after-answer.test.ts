// The store answers before its completion lands (`completeAfterAnswer`). What that may cost, shown on a real
// Redis behind a TCP proxy that loses the completion: the 202 does not wait for it, its failure is logged and
// counted, and the id comes back as a duplicate once the lease expires: enqueued again, never dropped.
import { randomUUID } from 'node:crypto'
import { createGuard, type Guard, type GuardOptions, standardWebhooks } from '@hookguard/core'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import {
  deleteKeys,
  failFast,
  makeSecret,
  redisAvailable,
  redisHost,
  sharedRedisPort,
  signedHeaders,
  testPrefix,
} from '../../../test/redis-helpers.js'
import { startTcpProxy, type TcpProxy } from '../../../test/tcp-proxy.js'
import { dedupeKey } from '../../core/src/dedupe/dedupe-key.js'
import { redisStore } from './redis-store.js'
import { doneMarker } from './scripts.js'

const redisUp = await redisAvailable(sharedRedisPort, 'the Redis completion-after-answer tests')
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
const { key, whsec } = makeSecret()
// Generous: the machine running the tests may be busy, and a claim must not time out by accident.
const leaseMs = 2_000
const timeoutMs = 1_000

async function until(what: string, check: () => boolean | Promise<boolean>, withinMs = 5_000): Promise<void> {
  for (const started = Date.now(); Date.now() - started < withinMs; await sleep(20)) if (await check()) return
  throw new Error(`${what}: not within ${withinMs} ms`)
}

/** Once the store's client answers PING again: reconnected after the proxy dropped it. */
const answers = async (client: Redis) => (await client.ping().catch(() => null)) === 'PONG'

function deliver(guard: Guard, id: string): Promise<Response> {
  const body = JSON.stringify({ type: 'test.event', data: { id } })
  return guard.handle(
    new Request('http://localhost/hooks', { method: 'POST', body, headers: signedHeaders(key, id, body) }),
  )
}

describe.skipIf(!redisUp)('a completion written after the answer, lost', () => {
  const prefix = testPrefix('late-complete')
  let admin: Redis
  let proxy: TcpProxy
  let client: Redis
  beforeAll(async () => {
    admin = new Redis({ host: redisHost, port: sharedRedisPort, ...failFast })
    proxy = await startTcpProxy(sharedRedisPort)
    client = new Redis({ host: redisHost, port: proxy.port, retryStrategy: () => 50, ...failFast })
    client.on('error', () => {})
    await until('the store client is ready', () => answers(client))
  })
  // A test that stalled or dropped the store's connection gives it back working.
  afterEach(async () => {
    proxy.drop()
    await until('the store client reconnects', () => answers(client))
  })
  afterAll(async () => {
    await deleteKeys(admin, prefix)
    client.disconnect()
    admin.disconnect()
    await proxy.close()
  })

  /** A guard on the proxied store; `lose` runs inside `enqueue`, after the claim answered, before the completion. */
  function setup(lose: () => void, options: { completeAfterAnswer?: boolean; namespace: string }) {
    const enqueued: string[] = []
    const warnings: { detail?: string }[] = []
    let losing = true
    const guardOptions: GuardOptions = {
      verify: [standardWebhooks({ secret: whsec })],
      dedupe: redisStore({ client, prefix, timeoutMs, completeAfterAnswer: options.completeAfterAnswer }),
      namespace: options.namespace,
      leaseMs,
      enqueueTimeoutMs: 100,
      enqueue: (event) => {
        enqueued.push(event.id as string)
        if (losing) lose()
        losing = false
      },
      logger: { info: () => {}, error: () => {}, warn: (record) => void warnings.push(record) },
    }
    const guard = createGuard(guardOptions)
    const stored = (id: string) => admin.get(prefix + dedupeKey(options.namespace, '', id))
    return { guard, enqueued, warnings, stored }
  }

  test('the 202 does not wait for the completion; the stalled one times out, logged and counted', async () => {
    const { guard, enqueued, warnings, stored } = setup(() => proxy.stall(), { namespace: 'stall' })
    const id = `msg_${randomUUID()}`
    const response = await deliver(guard, id)
    expect(response.status).toBe(202)
    // Answered while the completion is still unanswered: it has not failed yet, the key still holds the lease.
    expect(guard.counters.storeErrors).toBe(0)
    expect(await stored(id)).not.toBe(doneMarker)
    await until('the completion fails', () => guard.counters.storeErrors === 1)
    expect(warnings.map((w) => w.detail)).toEqual([expect.stringMatching(/^complete: .*within 1000 ms/)])
    expect(enqueued).toEqual([id])
  })

  test('with completeAfterAnswer: false the answer waits for the completion (and its timeout)', async () => {
    const { guard, stored } = setup(() => proxy.stall(), { namespace: 'wait', completeAfterAnswer: false })
    const id = `msg_${randomUUID()}`
    const started = Date.now()
    const response = await deliver(guard, id)
    expect(response.status).toBe(202)
    expect(Date.now() - started).toBeGreaterThanOrEqual(timeoutMs - 5)
    expect(guard.counters.storeErrors).toBe(1)
    expect(await stored(id)).not.toBe(doneMarker)
  })

  test('a lost completion: the re-send is in flight until the lease ends, then enqueued again, never dropped', async () => {
    const { guard, enqueued, stored } = setup(() => proxy.drop(), { namespace: 'drop' })
    const id = `msg_${randomUUID()}`
    expect((await deliver(guard, id)).status).toBe(202)
    expect(enqueued).toEqual([id])
    // The completion went down with the connection: the key is still the claim's lease, not done.
    await until('the completion fails', () => guard.counters.storeErrors === 1)
    await until('the store client reconnects', () => answers(client))
    const lease = await stored(id)
    expect(lease).not.toBeNull()
    expect(lease).not.toBe(doneMarker)
    // Inside the lease a re-send is told to come back later: not a duplicate (that would need the done marker).
    const early = await deliver(guard, id)
    expect(early.status).toBe(409)
    expect(await early.json()).toMatchObject({ code: 'in_flight' })
    // After the lease it is claimed and enqueued again: a duplicate, never a loss.
    await until('the lease expires', async () => (await stored(id)) === null, leaseMs + 2_000)
    expect((await deliver(guard, id)).status).toBe(202)
    expect(enqueued).toEqual([id, id])
    // That completion landed: the next re-send is a duplicate, and nothing is enqueued a third time.
    await until('the second completion lands', async () => (await stored(id)) === doneMarker)
    expect((await deliver(guard, id)).status).toBe(200)
    expect(enqueued).toEqual([id, id])
    expect(guard.counters.storeErrors).toBe(1)
  })
})
