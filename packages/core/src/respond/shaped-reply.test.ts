import { createHmac } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { memoryStore } from '../dedupe/memory-store.js'
import { createGuard } from '../guard.js'
import type { GuardOptions } from '../options.js'
import { hmacSignature } from '../verify/hmac-signature.js'
import { replyProblem } from './shaped-reply.js'

const secret = 'shaped reply test secret'
const verifier = hmacSignature({
  secret,
  header: 'x-signature',
  algorithm: 'sha256',
  encoding: 'hex',
  eventId: { header: 'x-id' },
})

function request(id = 'evt_1', body = '{"type":"sms"}') {
  return new Request('http://hooks.test/in', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-id': id,
      'x-signature': createHmac('sha256', secret).update(body).digest('hex'),
    },
    body,
  })
}

function logged() {
  const warnings: Record<string, unknown>[] = []
  const keep = (record: object) => void warnings.push(record as Record<string, unknown>)
  return { warnings, logger: { info: () => {}, warn: keep, error: () => {} } }
}

async function answer(options: Partial<GuardOptions>, req = request()) {
  const guard = createGuard({ verify: [verifier], enqueue: () => {}, ...options })
  const response = await guard.handle(req)
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    length: response.headers.get('content-length'),
    body: await response.text(),
    response,
  }
}

describe('respond', () => {
  test('shapes the 2xx after the handoff: TwiML with its content type and length', async () => {
    const result = await answer({
      respond: () => ({ status: 200, headers: { 'Content-Type': 'text/xml' }, body: '<Response/>' }),
    })
    expect(result).toMatchObject({ status: 200, type: 'text/xml', length: '11', body: '<Response/>' })
  })

  test('a body alone is text/plain at 202; nothing returned is the normal answer; an async reply is waited for', async () => {
    expect(await answer({ respond: () => ({ body: 'ok' }) })).toMatchObject({
      status: 202,
      type: 'text/plain; charset=utf-8',
      body: 'ok',
    })
    expect(await answer({ respond: () => undefined })).toMatchObject({
      status: 202,
      type: 'application/json',
      body: '{"status":202,"code":"accepted"}',
    })
    expect(await answer({ respond: async () => ({ status: 204 }) })).toMatchObject({ status: 204, body: '' })
  })

  test('it sees the event and runs after enqueue resolved, once; never for a duplicate or a refusal', async () => {
    const order: string[] = []
    const options: Partial<GuardOptions> = {
      dedupe: memoryStore(),
      enqueue: async (event) => void order.push(`enqueue ${event.id}`),
      respond: (event) => {
        order.push(`respond ${event.id}`)
        return { body: 'ok' }
      },
    }
    const guard = createGuard({ verify: [verifier], enqueue: () => {}, ...options })
    expect((await guard.handle(request())).status).toBe(202)
    expect((await guard.handle(request())).status).toBe(200) // duplicate: the normal answer
    const forged = new Request('http://hooks.test/in', {
      method: 'POST',
      headers: { 'x-signature': 'bad', 'x-id': 'e2' },
      body: '{}',
    })
    expect((await guard.handle(forged)).status).toBe(401)
    expect(order).toEqual(['enqueue evt_1', 'respond evt_1'])
  })

  test('a failing enqueue is 503 whatever respond says', async () => {
    const result = await answer({
      enqueue: () => Promise.reject(new Error('down')),
      respond: () => ({ status: 200, body: 'ok' }),
    })
    expect(result.status).toBe(503)
  })

  test('a throw, a rejection, a timeout or an invalid reply sends the normal answer and warns', async () => {
    const bad: GuardOptions['respond'][] = [
      () => {
        throw new Error('boom')
      },
      () => Promise.reject(new Error('boom')),
      () => new Promise(() => {}),
      () => ({ status: 500 }),
      () => ({ status: 302, headers: { location: 'https://example.com' } }),
      () => ({ headers: { 'content-length': '1' } }),
      () => ({ headers: { 'x-a': 'line\r\nInjected: 1' } }),
      () => ({ body: 42 }) as never,
    ]
    for (const respond of bad) {
      const { warnings, logger } = logged()
      const result = await answer({ respond, respondTimeoutMs: 50, logger })
      expect(result).toMatchObject({ status: 202, type: 'application/json', body: '{"status":202,"code":"accepted"}' })
      expect(warnings).toContainEqual(expect.objectContaining({ code: 'respond_failed' }))
    }
  })

  test('replyProblem names what is wrong without the content', () => {
    expect(replyProblem({ status: 200, body: 'secret text' })).toBeUndefined()
    expect(replyProblem('secret text')).toBe('something other than an object')
    expect(replyProblem({ status: 299.5 })).toBe('a status outside 200-299')
    expect(replyProblem({ status: 204, body: 'x' })).toBe('a body with status 204')
    expect(replyProblem({ headers: { 'bad name': 'x' } })).toBe('a header name that is not an HTTP token')
  })

  test('respond and respondTimeoutMs are checked at creation', () => {
    expect(() => createGuard({ verify: [verifier], enqueue: () => {}, respond: 'text' as never })).toThrow(
      'createGuard: respond must be a function',
    )
    expect(() => createGuard({ verify: [verifier], enqueue: () => {}, respondTimeoutMs: 0 })).toThrow(
      'createGuard: respondTimeoutMs must be',
    )
  })
})
