import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { createGuard, standardWebhooks, stripe, type WebhookEvent } from '@hookguard/core'
import { hookguard } from '@hookguard/express'
import express from 'express'
import { afterEach, describe, expect, test } from 'vitest'
import { closedPort, type LocalServer, serveLocal } from '../test-support/server.js'
import { generateSecret } from './generate-secret.js'
import { simulateSender } from './simulate-sender.js'

const { secret } = generateSecret('standard-webhooks')
const servers: LocalServer[] = []

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

/** A guard served on 127.0.0.1 whose fetch handler can be wrapped, e.g. to fail the first attempts. */
async function receiver(
  wrap: (handle: (request: Request) => Promise<Response>) => (request: Request) => Promise<Response> = (h) => h,
) {
  const enqueued: WebhookEvent[] = []
  const guard = createGuard({ verify: [standardWebhooks({ secret })], enqueue: (event) => void enqueued.push(event) })
  const server = await serveLocal(wrap((request) => guard.handle(request)))
  servers.push(server)
  return { url: `${server.origin}/hooks`, enqueued }
}

const events = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ body: { type: 'scan.completed', data: { n: i } } }))

/** A seeded generator, so shuffles and duplicates are the same on every run. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe('simulateSender against a real local server', () => {
  test('delivers every event once; ids in the report are the ones the receiver enqueued', async () => {
    const { url, enqueued } = await receiver()
    const report = await simulateSender({ url, preset: 'standard-webhooks', secret, events: events(5) })
    expect(report.totals).toMatchObject({ events: 5, delivered: 5, failed: 0, attempts: 5, retries: 0, duplicates: 0 })
    expect(report.totals.byStatus).toEqual({ '202': 5 })
    expect(enqueued.map((e) => e.id).sort()).toEqual(report.events.map((e) => e.id).sort())
    expect(report.events[0]?.attempts[0]).toMatchObject({ attempt: 1, status: 202, code: 'accepted', duplicate: false })
  })

  test('a server that fails the first 2 attempts: retried on the schedule, re-signed with a fresh timestamp each time', async () => {
    const failures = new Map<string, number>()
    const seen: { id: string; timestamp: number }[] = []
    const { url, enqueued } = await receiver((handle) => async (request) => {
      const id = request.headers.get('webhook-id') as string
      seen.push({ id, timestamp: Number(request.headers.get('webhook-timestamp')) })
      const failed = failures.get(id) ?? 0
      if (failed < 2) {
        failures.set(id, failed + 1)
        return Response.json({ code: 'try_later' }, { status: 503 })
      }
      return handle(request)
    })
    let clock = Date.now() - 60_000
    const report = await simulateSender({
      url,
      preset: 'standard-webhooks',
      secret,
      events: events(3),
      retry: { schedule: [5, 10, 20] },
      now: () => (clock += 10_000),
    })
    expect(report.totals).toMatchObject({ delivered: 3, failed: 0, attempts: 9, retries: 6 })
    for (const event of report.events) {
      expect(event.attempts.map((a) => [a.status, a.code])).toEqual([
        [503, 'try_later'],
        [503, 'try_later'],
        [202, 'accepted'],
      ])
      const stamps = seen.filter((s) => s.id === event.id).map((s) => s.timestamp)
      expect(stamps).toHaveLength(3)
      expect(new Set(stamps).size).toBe(3)
    }
    expect(enqueued).toHaveLength(3)
  })

  test('exponential back-off: gives up after `attempts` and reports the failure', async () => {
    const { url } = await receiver(() => async () => Response.json({ code: 'broken' }, { status: 500 }))
    const report = await simulateSender({
      url,
      preset: 'standard-webhooks',
      secret,
      events: events(2),
      retry: { attempts: 4, baseMs: 2, factor: 2, jitter: true },
    })
    expect(report.totals).toMatchObject({ delivered: 0, failed: 2, attempts: 8, byStatus: { '500': 8 } })
    expect(report.events.map((e) => e.outcome)).toEqual(['failed', 'failed'])
    expect(report.events[1]?.attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4])
  })

  test('a response deadline: a hung first attempt is aborted as a timeout and retried', async () => {
    let release: () => void = () => {}
    const hung = new Promise<void>((resolve) => {
      release = resolve
    })
    let calls = 0
    const { url, enqueued } = await receiver((handle) => async (request) => {
      if (++calls === 1) await hung
      return handle(request)
    })
    try {
      const report = await simulateSender({
        url,
        preset: 'standard-webhooks',
        secret,
        events: events(1),
        timeoutMs: 1_000,
        retry: { schedule: [0] },
      })
      const [first, second] = report.events[0]?.attempts ?? []
      expect(first).toMatchObject({ status: null, code: null, error: { kind: 'timeout' } })
      expect(second).toMatchObject({ status: 202, code: 'accepted' })
      expect(report.totals.byStatus).toEqual({ timeout: 1, '202': 1 })
    } finally {
      release()
    }
    expect(enqueued).toHaveLength(1)
  })

  test('duplicates: every delivered event is sent again and the receiver answers 200 duplicate', async () => {
    const { url, enqueued } = await receiver()
    const report = await simulateSender({ url, preset: 'standard-webhooks', secret, events: events(4), duplicates: 1 })
    expect(report.totals).toMatchObject({ delivered: 4, attempts: 8, duplicates: 4, byStatus: { '202': 4, '200': 4 } })
    for (const event of report.events) {
      expect(event.attempts.map((a) => [a.duplicate, a.status, a.code])).toEqual([
        [false, 202, 'accepted'],
        [true, 200, 'duplicate'],
      ])
    }
    expect(enqueued).toHaveLength(4)
  })

  test('shuffle delivers out of order; the report stays in the order given', async () => {
    const { url, enqueued } = await receiver()
    const report = await simulateSender({
      url,
      preset: 'standard-webhooks',
      secret,
      events: events(12).map((event, i) => ({ ...event, id: `msg_${String(i).padStart(2, '0')}` })),
      shuffle: true,
      random: seeded(7),
    })
    const given = report.events.map((e) => e.id)
    const received = enqueued.map((e) => e.id)
    expect(given).toEqual(Array.from({ length: 12 }, (_, i) => `msg_${String(i).padStart(2, '0')}`))
    expect([...received].sort()).toEqual(given)
    expect(received).not.toEqual(given)
  })

  test('concurrency: four deliveries are in flight at once', async () => {
    let inFlight = 0
    let most = 0
    let arrived: () => void = () => {}
    const allFour = new Promise<void>((resolve) => {
      arrived = resolve
    })
    const { url } = await receiver((handle) => async (request) => {
      most = Math.max(most, ++inFlight)
      if (inFlight === 4) arrived()
      await allFour
      inFlight--
      return handle(request)
    })
    // Sequential delivery would never fill the barrier: the first attempt would time out.
    const report = await simulateSender({
      url,
      preset: 'standard-webhooks',
      secret,
      events: events(8),
      concurrency: 4,
      timeoutMs: 5_000,
      retry: false,
    })
    expect(report.totals).toMatchObject({ delivered: 8, attempts: 8 })
    expect(most).toBe(4)
  })

  test('an unreachable URL is a network error on every attempt', async () => {
    const port = await closedPort()
    const report = await simulateSender({
      url: `http://127.0.0.1:${port}/hooks`,
      preset: 'standard-webhooks',
      secret,
      events: events(1),
      retry: { schedule: [1] },
    })
    expect(report.events[0]?.outcome).toBe('failed')
    expect(report.events[0]?.attempts).toHaveLength(2)
    expect(report.events[0]?.attempts[0]?.error).toMatchObject({
      kind: 'network',
      message: expect.stringMatching(/ECONNREFUSED/),
    })
  })

  test('bounded in time: maxDurationMs stops the retries', async () => {
    const { url } = await receiver(() => async () => new Response(null, { status: 503 }))
    const report = await simulateSender({
      url,
      preset: 'standard-webhooks',
      secret,
      events: events(2),
      retry: { schedule: [60_000, 60_000] },
      maxDurationMs: 100,
    })
    expect(report.totals.failed).toBe(2)
    // The first event got one attempt before its minute-long wait was cut short; the second never started.
    expect(report.events.map((e) => e.attempts.length)).toEqual([1, 0])
  })

  test('an Express app with @hookguard/express, Stripe-signed events with ids in the payload', async () => {
    const stripeSecret = generateSecret('stripe').secret
    const enqueued: WebhookEvent[] = []
    const guard = createGuard({ verify: [stripe({ secret: stripeSecret })], enqueue: (e) => void enqueued.push(e) })
    const app = express()
    app.post('/stripe', hookguard(guard))
    const server = app.listen(0, '127.0.0.1')
    await once(server, 'listening')
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stripe`
      const report = await simulateSender({
        url,
        preset: 'stripe',
        secret: stripeSecret,
        events: ['evt_a', 'evt_b', 'evt_c'].map((id) => ({ body: { id, object: 'event', type: 'invoice.paid' } })),
        concurrency: 2,
        duplicates: 1,
      })
      expect(report.events.map((e) => e.id)).toEqual(['evt_a', 'evt_b', 'evt_c'])
      expect(report.totals).toMatchObject({ delivered: 3, byStatus: { '202': 3, '200': 3 } })
      expect(enqueued.map((e) => e.id).sort()).toEqual(['evt_a', 'evt_b', 'evt_c'])
    } finally {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })

  test('invalid options are TypeErrors naming the option', async () => {
    const base = { url: 'http://127.0.0.1:1/hooks', preset: 'svix' as const, secret, events: events(1) }
    await expect(simulateSender({ ...base, url: 'not a url' })).rejects.toThrow(/url must be an absolute URL/)
    await expect(simulateSender({ ...base, duplicates: 2 })).rejects.toThrow(/duplicates must be a number from 0 to 1/)
    await expect(simulateSender({ ...base, retry: { attempts: 0 } })).rejects.toThrow(/retry.attempts/)
    // @ts-expect-error not a preset
    await expect(simulateSender({ ...base, preset: 'paypal' })).rejects.toThrow(/use one of/)
  })
})
