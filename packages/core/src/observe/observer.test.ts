import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics'
import { describe, expect, test, vi } from 'vitest'
import { makeSecret, signedHeaders } from '../../test-support/sign.js'
import { createGuard } from '../guard.js'
import { dropbox } from '../presets/dropbox.js'
import type { WebhookEvent } from '../types.js'
import { standardWebhooks } from '../verify/standard-webhooks.js'
import type { RequestOutcome } from './observer.js'

const secret = makeSecret()
const body = '{"type":"ping"}'

function delivery(id: string, payload = body) {
  return { method: 'POST', headers: signedHeaders(secret.key, { id, body }), body: payload, remoteAddress: '127.0.0.1' }
}

describe('observability', () => {
  test('metrics: requests by outcome and code, latency, dedupe hits, enqueue failures', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 })
    const meterProvider = new MeterProvider({ readers: [reader] })
    let fail = true
    const guard = createGuard({
      verify: [standardWebhooks({ secret: secret.whsec })],
      enqueue: () => {
        if (fail) throw new Error('down')
      },
      meterProvider,
    })
    await guard.process(delivery('a'))
    fail = false
    await guard.process(delivery('a'))
    await guard.process(delivery('a'))
    await guard.process(delivery('b', '{"tampered":1}'))
    await reader.forceFlush()
    const metrics = exporter.getMetrics().flatMap((m) => m.scopeMetrics.flatMap((s) => s.metrics))
    const byName = (name: string) => metrics.find((m) => m.descriptor.name === name)
    const counts = Object.fromEntries(
      (byName('hookguard.requests')?.dataPoints ?? []).map((p) => [String(p.attributes['hookguard.code']), p.value]),
    )
    expect(counts).toEqual({ enqueue_failed: 1, accepted: 1, duplicate: 1, invalid_signature: 1 })
    expect(byName('hookguard.dedupe.hits')?.dataPoints[0]?.value).toBe(1)
    expect(byName('hookguard.enqueue.failures')?.dataPoints[0]?.value).toBe(1)
    expect(byName('hookguard.store.fail_open')).toBeUndefined()
    const histogram = byName('hookguard.request.duration')?.dataPoints ?? []
    expect(histogram.length).toBeGreaterThan(0)
    await meterProvider.shutdown()
  })

  test('a handshake is counted as its own outcome, with the name of the preset that answered it', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 })
    const meterProvider = new MeterProvider({ readers: [reader] })
    const guard = createGuard({ verify: [dropbox({ appSecret: 'shh' })], enqueue: () => {}, meterProvider })
    const verdict = await guard.process({ method: 'GET', query: 'challenge=abc', headers: {}, body: '' })
    expect(verdict.code).toBe('handshake')
    await reader.forceFlush()
    const metrics = exporter.getMetrics().flatMap((m) => m.scopeMetrics.flatMap((s) => s.metrics))
    const points = metrics.find((m) => m.descriptor.name === 'hookguard.requests')?.dataPoints ?? []
    expect(points.map((p) => [p.attributes, p.value])).toEqual([
      [{ 'hookguard.outcome': 'handshake', 'hookguard.code': 'handshake', 'hookguard.verifier': 'dropbox' }, 1],
    ])
    await meterProvider.shutdown()
  })

  test('a store failure with storeFailure: open is counted as fail_open and as a store error', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 })
    const meterProvider = new MeterProvider({ readers: [reader] })
    const guard = createGuard({
      verify: [standardWebhooks({ secret: secret.whsec })],
      enqueue: () => {},
      dedupe: {
        claim: () => Promise.reject(new Error('ECONNREFUSED')),
        complete: () => {},
        release: () => {},
      },
      storeFailure: 'open',
      meterProvider,
    })
    expect((await guard.process(delivery('open-1'))).status).toBe(202)
    expect(guard.counters).toEqual({ storeErrors: 1, failOpen: 1 })
    await reader.forceFlush()
    const metrics = exporter.getMetrics().flatMap((m) => m.scopeMetrics.flatMap((s) => s.metrics))
    const value = (name: string) => metrics.find((m) => m.descriptor.name === name)?.dataPoints[0]?.value
    expect(value('hookguard.store.fail_open')).toBe(1)
    expect(value('hookguard.store.errors')).toBe(1)
    await meterProvider.shutdown()
  })

  test('without an SDK the metrics are a no-op and nothing breaks', async () => {
    const guard = createGuard({ verify: [standardWebhooks({ secret: secret.whsec })], enqueue: () => {} })
    expect((await guard.process(delivery('x'))).status).toBe(202)
  })

  test('a request is timed only when something reads the latency: a logger, a hook or a meter provider', async () => {
    const timed = async (extra: Record<string, unknown>) => {
      const guard = createGuard({ verify: [standardWebhooks({ secret: secret.whsec })], enqueue: () => {}, ...extra })
      const clock = vi.spyOn(performance, 'now')
      try {
        expect((await guard.process(delivery('timed'))).status).toBe(202)
        return clock.mock.calls.length > 0
      } finally {
        clock.mockRestore()
      }
    }
    const logger = { info: () => {}, warn: () => {}, error: () => {} }
    expect(await timed({})).toBe(false)
    expect(await timed({ logger })).toBe(true)
    expect(await timed({ onRejected: () => {} })).toBe(true)
    expect(await timed({ meterProvider: new MeterProvider({ readers: [] }) })).toBe(true)
  })

  test('hooks: onAccepted, onDuplicate, onRejected; a throwing hook never changes the answer', async () => {
    const seen: string[] = []
    const accepted: WebhookEvent[] = []
    const warnings: object[] = []
    const guard = createGuard({
      verify: [standardWebhooks({ secret: secret.whsec })],
      enqueue: () => {},
      onAccepted: (event) => {
        accepted.push(event)
        throw new Error('bookkeeping bug')
      },
      onDuplicate: (outcome: RequestOutcome) => seen.push(`duplicate ${outcome.eventId}`),
      onRejected: (outcome: RequestOutcome) => seen.push(`rejected ${outcome.code}`),
      logger: { info() {}, warn: (r) => warnings.push(r), error() {} },
    })
    expect((await guard.process(delivery('m1'))).status).toBe(202)
    expect((await guard.process(delivery('m1'))).status).toBe(200)
    expect((await guard.process(delivery('m2', '{}'))).status).toBe(401)
    expect(accepted.map((e) => e.id)).toEqual(['m1'])
    expect(seen).toEqual(['duplicate m1', 'rejected invalid_signature'])
    expect(warnings).toContainEqual({ hook: 'onAccepted', detail: 'bookkeeping bug' })
  })

  test('log records: summary at info/warn/error; the first 4xx of a code names its likely cause at warn, later ones at debug', async () => {
    const records: { level: string; record: Record<string, unknown>; message?: string }[] = []
    const at = (level: string) => (record: object, message?: string) =>
      records.push({ level, record: record as Record<string, unknown>, message })
    const guard = createGuard({
      verify: [standardWebhooks({ secret: secret.whsec })],
      // Like `queue.add(event.type, event)`: reading the type parses the payload, and the log shows it.
      enqueue: (event) => void event.type,
      logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
    })
    await guard.process(delivery('l1'))
    await guard.process(delivery('l2', '{}'))
    await guard.process(delivery('l3', '{}'))
    expect(records.map((r) => r.level)).toEqual(['info', 'warn', 'warn', 'debug'])
    expect(records[0]?.record).toMatchObject({
      outcome: 'accepted',
      code: 'accepted',
      eventId: 'l1',
      eventType: 'ping',
      sourceIp: '127.0.0.1',
      verifier: 'standard-webhooks',
    })
    expect(records[0]?.record.unverifiedEventId).toBeUndefined()
    // The first invalid_signature: one warn line that says why.
    expect(records[1]?.record.detail).toMatch(/no v1 signature/)
    expect(records[1]?.message).toMatch(/^webhook invalid_signature: no v1 signature/)
    // The sender's id, unverified, so the refusal can be found in its delivery log.
    expect(records[1]?.record).toMatchObject({ eventId: null, unverifiedEventId: 'l2' })
    // The next one within the minute: the summary at warn, the cause at debug.
    expect(records[2]?.record.detail).toBeUndefined()
    expect(records[2]?.message).toBe('webhook invalid_signature')
    expect(records[3]?.record).toMatchObject({ unverifiedEventId: 'l3', detail: expect.stringMatching(/no v1/) })
  })

  test('unverifiedEventId: only a header value shaped like an id, from the headers the guard knows', async () => {
    const outcomes: RequestOutcome[] = []
    const guard = createGuard({
      verify: [standardWebhooks({ secret: secret.whsec })],
      enqueue: () => {},
      onRejected: (outcome) => outcomes.push(outcome),
    })
    const unsigned = (headers: Record<string, string | string[]>) =>
      guard.process({ method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
    await unsigned({ 'webhook-id': 'msg_1' })
    await unsigned({ 'svix-id': 'msg_2' })
    await unsigned({ 'webhook-id': 'has space' })
    await unsigned({ 'webhook-id': ['msg_a', 'msg_b'] })
    await unsigned({ 'x-other-id': 'msg_3' })
    expect(outcomes.map((o) => [o.code, o.eventId, o.unverifiedEventId])).toEqual([
      ['missing_signature', null, 'msg_1'],
      ['missing_signature', null, 'msg_2'],
      ['missing_signature', null, undefined],
      ['missing_signature', null, undefined],
      ['missing_signature', null, undefined],
    ])
  })

  test('the log never parses the body: a type only the payload holds is logged once something read it', async () => {
    const records: Record<string, unknown>[] = []
    const guard = createGuard({
      verify: [standardWebhooks({ secret: secret.whsec })],
      enqueue: () => {},
      logger: { info: (record) => records.push(record as Record<string, unknown>), warn() {}, error() {} },
    })
    const parse = vi.spyOn(JSON, 'parse')
    await guard.process(delivery('unread'))
    expect(parse).not.toHaveBeenCalled()
    parse.mockRestore()
    expect(records[0]).toMatchObject({ eventId: 'unread', eventType: null })
  })
})
