import { eventBody } from '@hookguard/core'
import { expect, vi } from 'vitest'
import { body, type ConformanceCase, deliver, expectRejected, expectVerdict, nowSeconds } from './support.js'

/** Step 8: `enqueue` with a timeout, then the answer (202 only once it resolved; 503 and the claim freed when not). */
export const enqueueCases: readonly ConformanceCase[] = [
  {
    name: 'accepts a signed Standard Webhooks delivery and enqueues plain data',
    async run(start) {
      const server = await start()
      expectVerdict(await deliver(server, { id: 'msg_valid' }), 202, 'accepted')
      expect(server.enqueued).toHaveLength(1)
      const event = server.enqueued[0]!
      expect(event).toMatchObject({
        id: 'msg_valid',
        type: 'scan.completed',
        timestamp: nowSeconds,
        method: 'POST',
        path: '/hooks',
        payload: { type: 'scan.completed', data: { scanId: 'abc' } },
        contentType: 'application/json',
        sourceIp: '127.0.0.1',
        auth: [{ verifier: 'standard-webhooks' }],
      })
      expect(event.headers['webhook-id']).toBe('msg_valid')
      expect(new TextDecoder().decode(eventBody(event))).toBe(body)
      expect(JSON.parse(JSON.stringify(event))).toEqual(event)
    },
  },
  {
    name: 'answers 503 when enqueue throws, then accepts the retry once',
    async run(start) {
      let calls = 0
      const server = await start({
        enqueue: () => {
          calls += 1
          if (calls === 1) throw new Error('queue down')
        },
      })
      expectRejected(server, await deliver(server, { id: 'msg_retry' }), 503, 'enqueue_failed')
      expectVerdict(await deliver(server, { id: 'msg_retry' }), 202, 'accepted')
      expectVerdict(await deliver(server, { id: 'msg_retry' }), 200, 'duplicate')
      expect(server.enqueued.map((e) => e.id)).toEqual(['msg_retry'])
      expect(calls).toBe(2)
    },
  },
  {
    name: 'an enqueue that outlives its timeout: 503, then 409 while it runs; done when it succeeds late, freed when it fails',
    async run(start) {
      // The first enqueue of each msg_late_* id hangs until the test settles it; every other enqueue succeeds.
      const late = new Map<string, { resolve: () => void; reject: (error: Error) => void }>()
      const server = await start({
        enqueueTimeoutMs: 100,
        enqueue: (event) => {
          const id = event.id as string
          if (!id.startsWith('msg_late') || late.has(id)) return undefined
          return new Promise<void>((resolve, reject) => void late.set(id, { resolve, reject }))
        },
      })
      expectRejected(server, await deliver(server, { id: 'msg_late_ok' }), 503, 'enqueue_timeout')
      expectVerdict(await deliver(server, { id: 'msg_late_ok' }), 409, 'in_flight')
      late.get('msg_late_ok')!.resolve()
      await vi.waitFor(() => expect(server.enqueued).toHaveLength(1))
      expectVerdict(await deliver(server, { id: 'msg_late_ok' }), 200, 'duplicate')

      expectVerdict(await deliver(server, { id: 'msg_late_fails' }), 503, 'enqueue_timeout')
      expectVerdict(await deliver(server, { id: 'msg_late_fails' }), 409, 'in_flight')
      late.get('msg_late_fails')!.reject(new Error('broker lost it'))
      // The late failure frees the id (on the microtasks after the rejection, before the next request arrives).
      expectVerdict(await deliver(server, { id: 'msg_late_fails' }), 202, 'accepted')
      expect(server.enqueued.map((e) => e.id)).toEqual(['msg_late_ok', 'msg_late_fails'])
    },
  },
]
