import { afterEach, describe, expect, test, vi } from 'vitest'
import { makeSecret, signedHeaders } from '../../test-support/sign.js'
import { createGuard } from '../guard.js'
import type { GuardOptions } from '../options.js'
import type { WebhookEvent, WebhookRequest } from '../types.js'
import { standardWebhooks } from '../verify/standard-webhooks.js'

const secret = makeSecret()
const body = JSON.stringify({ type: 'invoice.paid', data: { amount: 4200 } })

/** Counts `JSON.parse` calls on the body text only, whoever makes them. */
function countBodyParses(text: string) {
  const parse = JSON.parse
  const spy = vi
    .spyOn(JSON, 'parse')
    .mockImplementation((source: string, reviver?: Parameters<typeof parse>[1]) => parse(source, reviver))
  return () => spy.mock.calls.filter(([source]) => source === text).length
}

function setup(options: Partial<GuardOptions> = {}) {
  const enqueued: WebhookEvent[] = []
  const guard = createGuard({
    verify: [standardWebhooks({ secret: secret.whsec })],
    enqueue: (event) => {
      enqueued.push(event)
    },
    ...options,
  })
  return { guard, enqueued }
}

function request(id: string, payload = body, extra: Record<string, string> = {}): WebhookRequest {
  return {
    method: 'POST',
    headers: { ...signedHeaders(secret.key, { id, body: payload }), ...extra },
    remoteAddress: '203.0.113.9',
    body: payload,
  }
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('JSON parsing of the body', () => {
  test('default: no parse on the hot path when the id comes from a header, whatever the type source', async () => {
    const parses = countBodyParses(body)
    const { guard, enqueued } = setup()
    expect((await guard.process(request('msg_default'))).status).toBe(202)
    expect(parses()).toBe(0)
    expect(enqueued[0]!.type).toBe('invoice.paid')
    expect(enqueued[0]!.payload).toEqual({ type: 'invoice.paid', data: { amount: 4200 } })
    expect(parses()).toBe(1)
  })

  test('eager: a verified request parses the body exactly once, however often the payload is read', async () => {
    const parses = countBodyParses(body)
    const { guard, enqueued } = setup({ parseJson: 'eager', eventId: { payload: 'data.amount' } })
    const verdict = await guard.process(request('msg_eager'))
    expect(verdict.status).toBe(202)
    const event = enqueued[0]!
    expect(event.type).toBe('invoice.paid')
    expect(event.payload).toEqual({ type: 'invoice.paid', data: { amount: 4200 } })
    expect(event.payload).toBe(event.payload)
    JSON.stringify(event)
    expect(parses()).toBe(1)
  })

  test('lazy, id and type from headers: no parse on the hot path; one on the first read, none after', async () => {
    const parses = countBodyParses(body)
    const { guard, enqueued } = setup({ parseJson: 'lazy', eventType: { header: 'x-event-type' } })
    const verdict = await guard.process(request('msg_lazy', body, { 'x-event-type': 'invoice.paid' }))
    expect(verdict.status).toBe(202)
    expect(parses()).toBe(0)
    const event = enqueued[0]!
    expect(event.type).toBe('invoice.paid')
    expect(parses()).toBe(0)
    expect(event.payload).toEqual({ type: 'invoice.paid', data: { amount: 4200 } })
    expect(event.payload).toBe(event.payload)
    expect(parses()).toBe(1)
  })

  test('lazy: the event stays plain data through JSON.stringify and back, parsing once', async () => {
    const parses = countBodyParses(body)
    const { guard, enqueued } = setup({ parseJson: 'lazy', eventType: { header: 'x-event-type' } })
    await guard.process(request('msg_copy', body, { 'x-event-type': 'invoice.paid' }))
    const event = enqueued[0]!
    const copy = JSON.parse(JSON.stringify(event)) as WebhookEvent
    expect(copy.payload).toEqual({ type: 'invoice.paid', data: { amount: 4200 } })
    expect(copy).toEqual({ ...event })
    expect(Object.keys(copy)).toEqual(Object.keys(event))
    expect(Object.keys(event)).toEqual([
      'id',
      'type',
      'timestamp',
      'receivedAt',
      'method',
      'path',
      'params',
      'payload',
      'bodyBase64',
      'contentType',
      'headers',
      'sourceIp',
      'auth',
      'tenant',
    ])
    expect(structuredClone(event).payload).toEqual(copy.payload)
    expect(parses()).toBe(1)
  })

  test('lazy: a type that falls back to the payload is read lazily too, and the body parses once', async () => {
    const parses = countBodyParses(body)
    const { guard, enqueued } = setup({ parseJson: 'lazy' })
    await guard.process(request('msg_type'))
    expect(parses()).toBe(0)
    expect(enqueued[0]!.type).toBe('invoice.paid')
    expect(parses()).toBe(1)
    expect(enqueued[0]!.payload).toEqual({ type: 'invoice.paid', data: { amount: 4200 } })
    expect(JSON.parse(JSON.stringify(enqueued[0]))).toMatchObject({ type: 'invoice.paid' })
    expect(parses()).toBe(1)
  })

  test('invalid JSON: eager refuses it with 400 invalid_json; lazy accepts it with payload null', async () => {
    const broken = '{"broken":'
    const eager = setup({ parseJson: 'eager' })
    const refused = await eager.guard.process(request('msg_bad', broken))
    expect([refused.status, refused.code]).toEqual([400, 'invalid_json'])
    const lazy = setup({ parseJson: 'lazy', eventType: { header: 'x-event-type' } })
    const taken = await lazy.guard.process(request('msg_bad', broken, { 'x-event-type': 'odd' }))
    expect(taken.status).toBe(202)
    expect(lazy.enqueued[0]!.payload).toBeNull()
    expect(JSON.parse(JSON.stringify(lazy.enqueued[0]))).toMatchObject({ payload: null, type: 'odd' })
  })

  test('lazy: assigning the payload replaces it without parsing', async () => {
    const parses = countBodyParses(body)
    const { guard, enqueued } = setup({ parseJson: 'lazy', eventType: { header: 'x-event-type' } })
    await guard.process(request('msg_set', body, { 'x-event-type': 'invoice.paid' }))
    const event = enqueued[0]!
    event.payload = { replaced: true }
    expect(event.payload).toEqual({ replaced: true })
    expect(parses()).toBe(0)
  })

  test('parseJson must be eager or lazy', () => {
    expect(() => setup({ parseJson: 'sometimes' as 'lazy' })).toThrow(/parseJson/)
  })
})
