import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { type AddressInfo, createConnection, createServer, type Socket } from 'node:net'
import { createGuard, type DedupeStore, type Guard, type GuardOptions, standardWebhooks } from '@hookguard/core'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  deleteKeys,
  failFast,
  freePort,
  makeSecret,
  type PrivateRedis,
  redisAvailable,
  redisHost,
  sharedRedisPort,
  signedHeaders,
  startPrivateRedis,
  testPrefix,
} from '../../../test/redis-helpers.js'
import { storeContract } from '../../../test/store-contract.js'
import { dedupeKey } from '../../core/src/dedupe/dedupe-key.js'
import { RedisStoreError } from './errors.js'
import { redisStore } from './redis-store.js'
import { claimScript, completeScript } from './scripts.js'

const redisUp = await redisAvailable(sharedRedisPort, 'the Redis store tests on the shared server')
const redisServerInstalled = spawnSync('redis-server', ['--version']).status === 0
if (!redisServerInstalled) console.warn('\n⚠ redis-server is not on PATH: SKIPPING the Redis restart tests.\n')

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
const clients: Redis[] = []
function connect(port = sharedRedisPort, options = failFast): Redis {
  const client = new Redis({ host: redisHost, port, retryStrategy: () => 50, ...options })
  client.on('error', () => {})
  clients.push(client)
  return client
}
/** Waits (at most 5 s) until `client` answers PING: connected, or reconnected after a restart. */
async function ready(client: Redis): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if ((await client.ping().catch(() => null)) === 'PONG') return
    await sleep(50)
  }
  throw new Error('Redis did not come back within 5 s')
}
afterAll(() => {
  for (const client of clients) client.disconnect()
})

describe.skipIf(!redisUp)('redis store on the shared Redis', () => {
  const prefix = testPrefix('store')
  let admin: Redis
  beforeAll(async () => {
    admin = connect()
    await ready(admin)
  })

  storeContract('redis store contract', {
    async create() {
      const [a, b] = [connect(), connect()]
      await Promise.all([ready(a), ready(b)])
      return {
        store: redisStore({ client: a, prefix }),
        peer: redisStore({ client: b, prefix }),
        advance: sleep,
      }
    },
    async cleanup() {
      await deleteKeys(admin, prefix)
    },
  })

  // The README recommends enableAutoPipelining: the same contract with the commands batched by ioredis.
  storeContract('redis store contract, auto-pipelining clients', {
    async create() {
      const options = { ...failFast, enableAutoPipelining: true }
      const [a, b] = [connect(sharedRedisPort, options), connect(sharedRedisPort, options)]
      await Promise.all([ready(a), ready(b)])
      return {
        store: redisStore({ client: a, prefix }),
        peer: redisStore({ client: b, prefix }),
        advance: sleep,
      }
    },
    async cleanup() {
      await deleteKeys(admin, prefix)
    },
  })
  afterAll(async () => {
    await deleteKeys(admin, prefix)
    expect(await admin.keys(`${prefix}*`)).toEqual([])
  })

  test('a second client with the same prefix sees the first one’s claims and done marks', async () => {
    const store = redisStore({ client: admin, prefix })
    const peerClient = connect()
    await ready(peerClient)
    const peer = redisStore({ client: peerClient, prefix })
    const key = `peer:${randomUUID()}`
    const claim = await store.claim(key, 60_000)
    if (claim.status !== 'claimed') throw new Error(`expected claimed, got ${claim.status}`)
    expect(await peer.claim(key, 60_000)).toEqual({ status: 'in_flight' })
    await peer.complete(key, 'not-the-token', 60_000)
    expect(await peer.claim(key, 60_000)).toEqual({ status: 'in_flight' })
    await store.complete(key, claim.token, 60_000)
    expect(await peer.claim(key, 60_000)).toEqual({ status: 'done' })
  })

  test('keys live under the prefix, with the lease and then the TTL as their expiry', async () => {
    const store = redisStore({ client: admin, prefix })
    const key = `ttl:${randomUUID()}`
    const claim = await store.claim(key, 30_000)
    if (claim.status !== 'claimed') throw new Error(`expected claimed, got ${claim.status}`)
    expect(await admin.get(prefix + key)).toBe(claim.token)
    expect(await admin.pttl(prefix + key)).toBeGreaterThan(20_000)
    expect(await admin.pttl(prefix + key)).toBeLessThanOrEqual(30_000)
    expect(await admin.exists(key)).toBe(0)
    await store.complete(key, claim.token, 96 * 3600 * 1000)
    expect(await admin.pttl(prefix + key)).toBeGreaterThan(95 * 3600 * 1000)
  })

  test('stores with different prefixes on one client do not see each other', async () => {
    const a = redisStore({ client: admin, prefix: `${prefix}a:` })
    const b = redisStore({ client: admin, prefix: `${prefix}b:` })
    const key = `ns:${randomUUID()}`
    const claim = await a.claim(key, 60_000)
    if (claim.status !== 'claimed') throw new Error(`expected claimed, got ${claim.status}`)
    await a.complete(key, claim.token, 60_000)
    expect((await b.claim(key, 60_000)).status).toBe('claimed')
    expect(await a.claim(key, 60_000)).toEqual({ status: 'done' })
  })

  test('the calls of one turn go out in one pipeline, its completions as one script run; each call gets its own answer', async () => {
    const client = connect()
    await ready(client)
    const sent: number[] = []
    const pipeline = client.pipeline.bind(client)
    client.pipeline = (commands) => {
      const batch = pipeline(commands)
      const exec = batch.exec.bind(batch)
      batch.exec = (callback) => {
        sent.push(batch.length)
        return exec(callback)
      }
      return batch
    }
    const store = redisStore({ client, prefix })
    const keys = Array.from({ length: 10 }, (_, i) => `turn:${i}:${randomUUID()}`)
    const claims = await Promise.all([...keys, keys[0]!].map((key) => store.claim(key, 60_000)))
    expect(sent).toEqual([11])
    expect(claims.map((c) => c.status)).toEqual([...keys.map(() => 'claimed'), 'in_flight'])
    const tokens = claims.slice(0, 10).map((c) => (c as { token: string }).token)
    // The completions of the turn are one script run over their keys, each checked against its own token.
    await Promise.all([
      ...keys.slice(0, 5).map((key, i) => store.complete(key, tokens[i]!, 60_000)),
      store.complete(keys[5]!, tokens[0]!, 60_000),
      ...keys.slice(5).map((key, i) => store.release(key, tokens[i + 5]!)),
    ])
    expect(sent).toEqual([11, 6])
    const again = await Promise.all(keys.map((key) => store.claim(key, 60_000)))
    expect(again.map((c) => c.status)).toEqual([
      ...keys.slice(0, 5).map(() => 'done'),
      ...keys.slice(5).map(() => 'claimed'),
    ])
    expect(sent).toEqual([11, 6, 10])
  })

  test('the default prefix is hookguard:', async () => {
    const store = redisStore({ client: admin })
    const key = `${prefix}default:${randomUUID()}`
    const claim = await store.claim(key, 60_000)
    if (claim.status !== 'claimed') throw new Error(`expected claimed, got ${claim.status}`)
    expect(await admin.get(`hookguard:${key}`)).toBe(claim.token)
    await store.release(key, claim.token)
    expect(await admin.exists(`hookguard:${key}`)).toBe(0)
  })

  test('through the guard: first delivery 202, a re-send 200 duplicate, one enqueue', async () => {
    const { key, whsec } = makeSecret()
    const enqueued: string[] = []
    const guard = createGuard({
      verify: [standardWebhooks({ secret: whsec })],
      dedupe: redisStore({ client: admin, prefix }),
      enqueue: (event) => {
        enqueued.push(event.id!)
      },
    })
    const id = `msg_${randomUUID()}`
    expect((await deliver(guard, key, id)).status).toBe(202)
    const again = await deliver(guard, key, id)
    expect(again.status).toBe(200)
    expect(await again.json()).toMatchObject({ code: 'duplicate' })
    expect(enqueued).toEqual([id])
  })
})

/**
 * A stand-in for Redis before 7.0 in front of the shared Redis: it answers `SET … NX … GET` with the
 * syntax error those versions give and forwards every other command. One command per chunk, so only for
 * a client that waits for each answer.
 */
async function startPre7Redis(): Promise<{ port: number; refused: () => number; close: () => Promise<void> }> {
  let refused = 0
  const sockets = new Set<Socket>()
  const server = createServer((client) => {
    const upstream = createConnection({ host: redisHost, port: sharedRedisPort })
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('error', () => {})
      socket.on('close', () => {
        client.destroy()
        upstream.destroy()
      })
    }
    client.on('data', (chunk: Buffer) => {
      const command = chunk.toString('latin1')
      if (/^\*\d+\r\n\$3\r\nSET\r\n/i.test(command) && /\r\nNX\r\n/i.test(command) && /\r\nGET\r\n/i.test(command)) {
        refused += 1
        client.write('-ERR syntax error\r\n')
      } else upstream.write(chunk)
    })
    upstream.on('data', (chunk: Buffer) => client.write(chunk))
  })
  await new Promise<void>((resolve) => server.listen(0, redisHost, resolve))
  return {
    port: (server.address() as AddressInfo).port,
    refused: () => refused,
    close: () => {
      for (const socket of sockets) socket.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}

describe.skipIf(!redisUp)('redis store on a Redis before 7.0 (no SET with both NX and GET)', () => {
  const prefix = testPrefix('pre7')
  afterAll(async () => {
    const admin = connect()
    await ready(admin)
    await deleteKeys(admin, prefix)
  })

  test('the claim falls back to its Lua script, once, and the store keeps its contract', async () => {
    const old = await startPre7Redis()
    try {
      const client = connect(old.port)
      await ready(client)
      const store = redisStore({ client, prefix })
      const key = `pre7:${randomUUID()}`
      const first = await store.claim(key, 60_000)
      if (first.status !== 'claimed') throw new Error(`expected claimed, got ${first.status}`)
      expect(old.refused()).toBe(1)
      expect(await store.claim(key, 60_000)).toEqual({ status: 'in_flight' })
      await store.complete(key, first.token, 60_000)
      expect(await store.claim(key, 60_000)).toEqual({ status: 'done' })
      const other = `pre7:${randomUUID()}`
      const second = await store.claim(other, 60_000)
      if (second.status !== 'claimed') throw new Error(`expected claimed, got ${second.status}`)
      await store.release(other, second.token)
      expect((await store.claim(other, 60_000)).status).toBe('claimed')
      // Asked once: every later claim went to the script.
      expect(old.refused()).toBe(1)
      expect(await client.script('EXISTS', claimScript.sha)).toEqual([1])
    } finally {
      await old.close()
    }
  })
})

describe('redis store options and an unreachable Redis', () => {
  test('invalid options throw a TypeError naming the option', () => {
    const client = new Redis({ lazyConnect: true })
    expect(() => redisStore(undefined as never)).toThrow(TypeError)
    expect(() => redisStore({ client: {} as never })).toThrow(/client/)
    expect(() => redisStore({ client, prefix: 1 as never })).toThrow(/prefix/)
    expect(() => redisStore({ client, timeoutMs: 0 })).toThrow(/timeoutMs/)
    expect(() => redisStore({ client, timeoutMs: Number.NaN })).toThrow(/timeoutMs/)
    client.disconnect()
  })

  test('with enableOfflineQueue: false a call fails at once with the client’s own error', async () => {
    const client = connect(await freePort())
    const store = redisStore({ client, timeoutMs: 60_000 })
    const error = await Promise.resolve(store.claim('down:1', 30_000)).catch((thrown: unknown) => thrown)
    expect(error).toBeInstanceOf(Error)
    expect(error).not.toBeInstanceOf(RedisStoreError)
    expect((error as Error).message).toMatch(/enableOfflineQueue/)
  })

  test('with a default client (offline queue on) a call gives up after timeoutMs', async () => {
    const client = connect(await freePort(), {})
    const store = redisStore({ client, timeoutMs: 200 })
    await expect(store.claim('down:2', 30_000)).rejects.toMatchObject({ name: 'RedisStoreError', code: 'timeout' })
    await expect(store.complete('down:2', 'token', 1_000)).rejects.toBeInstanceOf(RedisStoreError)
    await expect(store.release('down:2', 'token')).rejects.toBeInstanceOf(RedisStoreError)
  })
})

describe.skipIf(!redisServerInstalled)('redis store when its own Redis is killed and restarted', () => {
  let redis: PrivateRedis
  let client: Redis
  let store: DedupeStore
  const { key, whsec } = makeSecret()
  beforeAll(async () => {
    redis = await startPrivateRedis()
    client = connect(redis.port)
    await ready(client)
    store = redisStore({ client, prefix: testPrefix('restart'), timeoutMs: 500 })
  })
  afterAll(async () => {
    await redis?.kill()
  })

  async function restart(): Promise<void> {
    await redis.kill()
    await redis.start()
    await ready(client)
  }

  function guardWith(options: Partial<GuardOptions> & Pick<GuardOptions, 'enqueue'>): Guard {
    return createGuard({ verify: [standardWebhooks({ secret: whsec })], dedupe: store, ...options })
  }

  test('a fresh server knows no scripts: the store loads them (EVALSHA → EVAL) and works again', async () => {
    const id = `restart:${randomUUID()}`
    expect(await client.script('EXISTS', completeScript.sha)).toEqual([0])
    const first = await store.claim(id, 60_000)
    if (first.status !== 'claimed') throw new Error(`expected claimed, got ${first.status}`)
    await store.complete(id, first.token, 60_000)
    expect(await client.script('EXISTS', completeScript.sha)).toEqual([1])
    expect(await store.claim(id, 60_000)).toEqual({ status: 'done' })
    await restart()
    // The done mark was lost with the server, and the scripts with it.
    expect(await client.script('EXISTS', completeScript.sha)).toEqual([0])
    const second = await store.claim(id, 60_000)
    if (second.status !== 'claimed') throw new Error(`expected claimed, got ${second.status}`)
    await store.complete(id, second.token, 60_000)
    expect(await store.claim(id, 60_000)).toEqual({ status: 'done' })
  })

  test('an auto-pipelining client after a restart: EVALSHA fails inside the batch, the EVAL fallback completes', async () => {
    const batched = connect(redis.port, { ...failFast, enableAutoPipelining: true })
    await ready(batched)
    const piped = redisStore({ client: batched, prefix: testPrefix('restart-piped'), timeoutMs: 500 })
    await restart()
    await ready(batched)
    expect(await batched.script('EXISTS', completeScript.sha)).toEqual([0])
    const ids = [1, 2, 3].map((n) => `piped:${n}:${randomUUID()}`)
    const claims = await Promise.all(ids.map((id) => piped.claim(id, 60_000)))
    expect(claims.map((c) => c.status)).toEqual(['claimed', 'claimed', 'claimed'])
    await Promise.all(ids.map((id, i) => piped.complete(id, (claims[i] as { token: string }).token, 60_000)))
    expect(await Promise.all(ids.map((id) => piped.claim(id, 60_000)))).toEqual(ids.map(() => ({ status: 'done' })))
  })

  test('Redis down: fail closed answers 503 store_unavailable and enqueues nothing; counted', async () => {
    const enqueued: string[] = []
    const guard = guardWith({ enqueue: (event) => void enqueued.push(event.id!) })
    await redis.kill()
    try {
      const response = await deliver(guard, key, `msg_${randomUUID()}`)
      expect(response.status).toBe(503)
      expect(await response.json()).toMatchObject({ code: 'store_unavailable' })
      expect(response.headers.get('retry-after')).toBe('5')
      expect(enqueued).toEqual([])
      expect(guard.counters).toEqual({ storeErrors: 1, failOpen: 0 })
    } finally {
      await redis.start()
      await ready(client)
    }
  })

  test('Redis down with storeFailure open: enqueued without dedupe, logged and counted', async () => {
    const enqueued: string[] = []
    const warnings: object[] = []
    const guard = guardWith({
      namespace: 'open',
      storeFailure: 'open',
      enqueue: (event) => void enqueued.push(event.id!),
      logger: { info: () => {}, error: () => {}, warn: (record) => void warnings.push(record) },
    })
    const id = `msg_${randomUUID()}`
    await redis.kill()
    try {
      expect((await deliver(guard, key, id)).status).toBe(202)
      expect((await deliver(guard, key, id)).status).toBe(202)
      expect(enqueued).toEqual([id, id])
      expect(guard.counters).toEqual({ storeErrors: 2, failOpen: 2 })
      expect(warnings).toContainEqual(
        expect.objectContaining({ code: 'store_unavailable', key: dedupeKey('open', '', id) }),
      )
    } finally {
      await redis.start()
      await ready(client)
    }
  })

  test('Redis lost after a successful enqueue: still 202; the failed complete is logged and counted', async () => {
    const enqueued: string[] = []
    const warnings: { detail?: string }[] = []
    const guard = guardWith({
      namespace: 'complete',
      enqueue: async (event) => {
        enqueued.push(event.id!)
        await redis.kill()
      },
      logger: { info: () => {}, error: () => {}, warn: (record) => void warnings.push(record) },
    })
    try {
      const response = await deliver(guard, key, `msg_${randomUUID()}`)
      expect(response.status).toBe(202)
      expect(enqueued).toHaveLength(1)
      // The completion goes out after the answer, with the store's next batch: its failure is counted just after.
      for (let turns = 0; turns < 100 && guard.counters.storeErrors === 0; turns++) await sleep(10)
      expect(guard.counters).toEqual({ storeErrors: 1, failOpen: 0 })
      expect(warnings.map((w) => w.detail)).toEqual([expect.stringMatching(/^complete: /)])
    } finally {
      await redis.start()
      await ready(client)
    }
  })
})

function deliver(guard: Guard, key: Buffer, id: string): Promise<Response> {
  const body = JSON.stringify({ type: 'test.event', data: { id } })
  return guard.handle(
    new Request('http://localhost/hooks', { method: 'POST', body, headers: signedHeaders(key, id, body) }),
  )
}
