import type { Logger } from '@hookguard/core'
import { expect } from 'vitest'
import { type ConformanceCase, deliver, expectVerdict } from './support.js'

const twiml = '<?xml version="1.0" encoding="UTF-8"?><Response/>'

/** A logger that keeps the warnings. */
function warnLogger(): { warnings: Record<string, unknown>[]; logger: Logger } {
  const warnings: Record<string, unknown>[] = []
  return {
    warnings,
    logger: {
      info: () => {},
      warn: (record) => void warnings.push(record as Record<string, unknown>),
      error: () => {},
    },
  }
}

/** Step 8's answer shaped by `respond`, once `enqueue` resolved: written as given by every adapter. */
export const respondCases: readonly ConformanceCase[] = [
  {
    name: 'respond: a TwiML 200 with its content type, a header of its own and the exact body',
    async run(start) {
      const server = await start({
        respond: () => ({
          status: 200,
          headers: { 'content-type': 'text/xml; charset=utf-8', 'x-reply': 'twiml' },
          body: twiml,
        }),
      })
      const reply = await deliver(server, { id: 'msg_twiml' })
      expect({
        status: reply.status,
        type: reply.headers['content-type'],
        extra: reply.headers['x-reply'],
        length: reply.headers['content-length'],
        text: reply.text,
      }).toEqual({
        status: 200,
        type: 'text/xml; charset=utf-8',
        extra: 'twiml',
        length: String(Buffer.byteLength(twiml)),
        text: twiml,
      })
      expect(server.enqueued.map((e) => e.id)).toEqual(['msg_twiml'])
    },
  },
  {
    name: 'respond: a 204 has no body; an async text reply is waited for',
    async run(start) {
      const empty = await start({ respond: async () => ({ status: 204 }) })
      const none = await deliver(empty, { id: 'msg_204' })
      expect({ status: none.status, text: none.text }).toEqual({ status: 204, text: '' })
      const text = await start({ respond: async (event) => ({ body: `got ${event.id}` }) })
      const got = await deliver(text, { id: 'msg_text' })
      expect({ status: got.status, type: got.headers['content-type'], text: got.text }).toEqual({
        status: 202,
        type: 'text/plain; charset=utf-8',
        text: 'got msg_text',
      })
    },
  },
  {
    name: 'respond: not asked for a duplicate, and a throw or a non-2xx status sends the normal 202 with a warning',
    async run(start) {
      let asked = 0
      const counting = await start({
        respond: () => {
          asked++
          return { body: 'ok' }
        },
      })
      expect((await deliver(counting, { id: 'msg_once' })).text).toBe('ok')
      expectVerdict(await deliver(counting, { id: 'msg_once' }), 200, 'duplicate')
      expect(asked).toBe(1)
      for (const respond of [
        () => {
          throw new Error('boom')
        },
        () => ({ status: 500, body: 'no' }),
      ]) {
        const { warnings, logger } = warnLogger()
        const server = await start({ respond, logger })
        expectVerdict(await deliver(server, { id: 'msg_fallback' }), 202, 'accepted')
        expect(warnings).toContainEqual(expect.objectContaining({ code: 'respond_failed' }))
      }
    },
  },
  {
    name: 'respond: a failing enqueue is 503 whatever respond would say',
    async run(start) {
      let asked = 0
      const server = await start({
        enqueue: () => Promise.reject(new Error('queue down')),
        respond: () => {
          asked++
          return { status: 200 }
        },
      })
      const reply = await deliver(server, { id: 'msg_down' })
      expect({ status: reply.status, code: reply.json?.code }).toEqual({ status: 503, code: 'enqueue_failed' })
      expect(asked).toBe(0)
    },
  },
]
