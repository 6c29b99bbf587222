import { describe, expect, test } from 'vitest'
import { createGuard } from '../guard.js'
import type { Handshake, Verifier } from '../verify/verifier.js'

/** A verifier that passes every request, with the handshakes given. */
function passing(handshakes: readonly Handshake[]): Verifier {
  return { name: 'acme', verify: () => ({ id: 'evt_1' }), handshakes }
}

const ping: Handshake = {
  methods: ['PUT'],
  signed: false,
  mayBe: (request) => request.query === 'ping',
  answer: () => ({ contentType: 'text/plain', body: 'pong' }),
}

describe('handshakes declared by a verifier of your own', () => {
  test('a malformed handshake is a TypeError at creation naming the verifier', () => {
    const create = (handshake: unknown) =>
      createGuard({ verify: [passing([handshake as Handshake])], enqueue: () => {} })
    expect(() => create({ ...ping, methods: [] })).toThrow('verify: acme: handshakes[0].methods must be')
    expect(() => create({ ...ping, answer: 'pong' })).toThrow('verify: acme: handshakes[0] must be')
  })

  test('its method is admitted only for a request it may be; the answer is a 200 handshake, never enqueued', async () => {
    const enqueued: unknown[] = []
    const guard = createGuard({ verify: [passing([ping])], enqueue: (e) => void enqueued.push(e) })
    const put = (query: string) => guard.process({ method: 'PUT', query, headers: {}, body: '' })
    const answered = await put('ping')
    expect({ status: answered.status, code: answered.code, body: answered.body }).toEqual({
      status: 200,
      code: 'handshake',
      body: 'pong',
    })
    expect(answered.headers).toMatchObject({ 'content-type': 'text/plain', 'content-length': '4' })
    expect((await put('other')).code).toBe('method_not_allowed')
    expect(enqueued).toEqual([])
  })

  test('an answer of undefined is an ordinary delivery: verified and enqueued', async () => {
    const enqueued: unknown[] = []
    const notReally: Handshake = { ...ping, methods: ['POST'], answer: () => undefined }
    const guard = createGuard({ verify: [passing([notReally])], enqueue: (e) => void enqueued.push(e) })
    const verdict = await guard.process({ method: 'POST', query: 'ping', headers: {}, body: '{}' })
    expect(verdict.code).toBe('accepted')
    expect(enqueued).toHaveLength(1)
  })
})
