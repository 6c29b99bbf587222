import { eventBody } from '@hookguard/core'
import { expect } from 'vitest'
import { body, type ConformanceCase, deliver, expectRejected, expectVerdict } from './support.js'

/** Steps 3 and 4: the declared size is within the limit, and the raw body is read within the limit and in time. */
export const bodyCases: readonly ConformanceCase[] = [
  {
    name: 'rejects a body over the limit by its Content-Length (413)',
    async run(start) {
      const server = await start({ maxBodyBytes: 1024 })
      const large = JSON.stringify({ type: 'big', pad: 'x'.repeat(2000) })
      expectRejected(server, await deliver(server, { id: 'msg_big', body: large }), 413, 'payload_too_large')
    },
  },
  {
    name: 'rejects a chunked body over the limit, with no Content-Length (413)',
    async run(start) {
      const server = await start({ maxBodyBytes: 1024 })
      const large = JSON.stringify({ type: 'big', pad: 'x'.repeat(4000) })
      const reply = await deliver(server, { id: 'msg_chunked', body: large }, { framing: 'chunked' })
      expectRejected(server, reply, 413, 'payload_too_large')
    },
  },
  {
    name: 'accepts a chunked body within the limit',
    async run(start) {
      const server = await start({ maxBodyBytes: 1024 })
      expectVerdict(await deliver(server, { id: 'msg_chunked_ok' }, { framing: 'chunked' }), 202, 'accepted')
      expect(new TextDecoder().decode(eventBody(server.enqueued[0]!))).toBe(body)
    },
  },
  {
    name: 'answers 408 when the body stalls past the idle timeout',
    async run(start) {
      const server = await start({ bodyTimeoutMs: 150 })
      expectRejected(server, await deliver(server, { id: 'msg_stall' }, { framing: 'stall' }), 408, 'body_timeout')
    },
  },
  {
    name: 'rejects a compressed body (415 unsupported_encoding)',
    async run(start) {
      const server = await start()
      const reply = await deliver(server, { id: 'msg_gzip' }, { headers: { 'content-encoding': 'gzip' } })
      expectRejected(server, reply, 415, 'unsupported_encoding')
    },
  },
]
