import { eventBody } from '@hookguard/core'
import { expect } from 'vitest'
import { type ConformanceCase, deliver, expectRejected, expectVerdict } from './support.js'

const nonUtf8 = Uint8Array.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0x7b, 0x22, 0xed, 0xa0, 0x80, 0x0a])

/** Step 6: the event is built (id, type, timestamp, payload, the exact body bytes). */
export const eventCases: readonly ConformanceCase[] = [
  {
    name: 'takes the event type from the {STATUS} path parameter',
    async run(start) {
      const server = await start({ eventType: { param: 'status' } })
      expectVerdict(await deliver(server, { id: 'msg_status' }, { path: '/COMPLETED' }), 202, 'accepted')
      expect(server.enqueued[0]).toMatchObject({
        type: 'COMPLETED',
        path: '/hooks/COMPLETED',
        params: { status: 'COMPLETED' },
      })
    },
  },
  {
    name: 'hands non-UTF-8 body bytes to the event exactly',
    async run(start) {
      const server = await start()
      const delivery = { id: 'msg_bytes', body: nonUtf8, contentType: 'application/octet-stream' }
      expectVerdict(await deliver(server, delivery), 202, 'accepted')
      const event = server.enqueued[0]!
      expect(event.payload).toBeNull()
      expect(Buffer.from(eventBody(event))).toEqual(Buffer.from(nonUtf8))
      expect(Buffer.from(eventBody(JSON.parse(JSON.stringify(event))))).toEqual(Buffer.from(nonUtf8))
    },
  },
  {
    name: "invalid JSON under a valid signature: accepted with payload null by default, 400 invalid_json with parseJson: 'eager'",
    async run(start) {
      const lazy = await start()
      expectVerdict(await deliver(lazy, { id: 'msg_json', body: '{"type":' }), 202, 'accepted')
      const event = lazy.enqueued[0]!
      expect(event.payload).toBeNull()
      expect(Buffer.from(eventBody(event)).toString()).toBe('{"type":')
      const strict = await start({ parseJson: 'eager' })
      expectRejected(strict, await deliver(strict, { id: 'msg_json', body: '{"type":' }), 400, 'invalid_json')
      const bytes = await deliver(strict, { id: 'msg_json_bytes', body: Uint8Array.from([0x22, 0xff, 0x22]) })
      expectRejected(strict, bytes, 400, 'invalid_json')
    },
  },
  {
    name: 'a signed JSON body sent as text/plain: the payload and its type are still read',
    async run(start) {
      const server = await start()
      expectVerdict(await deliver(server, { id: 'msg_text', contentType: 'text/plain' }), 202, 'accepted')
      expect(server.enqueued[0]).toMatchObject({
        type: 'scan.completed',
        payload: { type: 'scan.completed', data: { scanId: 'abc' } },
        contentType: 'text/plain',
      })
    },
  },
]
