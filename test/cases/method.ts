import { expect } from 'vitest'
import { send } from '../http-client.js'
import { type ConformanceCase, deliver, expectRejected, expectVerdict } from './support.js'

/** Step 1: the method is allowed. */
export const methodCases: readonly ConformanceCase[] = [
  {
    name: 'answers 405 with Allow to a method that is not allowed',
    async run(start) {
      const server = await start()
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const reply = await send(server.url, { method })
        expectRejected(server, reply, 405, 'method_not_allowed')
        expect(reply.headers.allow).toBe('POST')
      }
    },
  },
  {
    name: 'accepts PUT when configured, and lists it in Allow',
    async run(start) {
      const server = await start({ methods: ['POST', 'PUT'] })
      expectVerdict(await deliver(server, { id: 'msg_put' }, { method: 'PUT' }), 202, 'accepted')
      expect(server.enqueued[0]!.method).toBe('PUT')
      const reply = await send(server.url, { method: 'PATCH' })
      expectVerdict(reply, 405, 'method_not_allowed')
      expect(reply.headers.allow).toBe('POST, PUT')
    },
  },
]
