import { createServer, type IncomingMessage } from 'node:http'
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { WebhookRequest } from '../types.js'
import { fromNodeRequest } from './node.js'

let seen: (request: WebhookRequest, req: IncomingMessage) => void = () => {}
const server = createServer((req, res) => {
  seen(fromNodeRequest(req, { rawBodyHint: 'test' }), req)
  req.resume()
  req.on('end', () => res.end())
})

beforeAll(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)))
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

/** Sends a raw HTTP/1.1 request and hands back what `fromNodeRequest` made of it on the server. */
function send(head: string): Promise<{ request: WebhookRequest; req: IncomingMessage }> {
  const { port } = server.address() as { port: number }
  return new Promise((resolve, reject) => {
    seen = (request, req) => resolve({ request, req })
    const socket = connect(port, '127.0.0.1', () =>
      socket.end(`${head}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`),
    )
    socket.on('error', reject)
    socket.resume()
  })
}

describe('fromNodeRequest', () => {
  test('without repeated headers, reads req.headers as it is', async () => {
    const { request, req } = await send('POST /hooks/paid?x=1 HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer one')
    expect(request.headers).toBe(req.headers)
    expect(request.headers.authorization).toBe('Bearer one')
    expect(request.path).toBe('/hooks/paid')
    expect(request.remoteAddress).toBe('127.0.0.1')
  })

  test('a repeated header is kept apart, where req.headers would keep the first or join them', async () => {
    const { request } = await send(
      'POST /hooks HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer one\r\nAuthorization: Bearer two\r\n' +
        'Webhook-Id: a\r\nWebhook-Id: b',
    )
    expect(request.headers.authorization).toEqual(['Bearer one', 'Bearer two'])
    expect(request.headers['webhook-id']).toEqual(['a', 'b'])
    expect(request.headers.host).toEqual(['a'])
  })
})

describe('fromNodeRequest and headers a middleware added', () => {
  /** A request as Node parsed it (`rawHeaders`, `headersDistinct`), with `req.headers` as a middleware left it. */
  function incoming(rawHeaders: string[], headers: Record<string, string>) {
    const headersDistinct: Record<string, string[]> = {}
    for (let i = 0; i < rawHeaders.length; i += 2) {
      const name = (rawHeaders[i] as string).toLowerCase()
      headersDistinct[name] = [...(headersDistinct[name] ?? []), rawHeaders[i + 1] as string]
    }
    const noop = () => {}
    return {
      method: 'POST',
      url: '/hooks',
      rawHeaders,
      headers,
      headersDistinct,
      on: noop,
      removeListener: noop,
      pause: noop,
    }
  }

  test('a repeat is found from the raw names, in any case, though an added x-request-id balances the count', () => {
    const raw = ['Host', 'a', 'Authorization', 'Bearer one', 'AUTHORIZATION', 'Bearer two']
    const req = incoming(raw, { host: 'a', authorization: 'Bearer one', 'x-request-id': 'r1' })
    expect(fromNodeRequest(req, { rawBodyHint: 'h' }).headers.authorization).toEqual(['Bearer one', 'Bearer two'])
  })

  test('with no repeat, req.headers is read as it is, the added header included', () => {
    const raw = ['Host', 'a', 'Authorization', 'Bearer one']
    const req = incoming(raw, { host: 'a', authorization: 'Bearer one', 'x-request-id': 'r1' })
    expect(fromNodeRequest(req, { rawBodyHint: 'h' }).headers).toBe(req.headers)
  })

  test('names that differ only in a letter of the same length are not a repeat', () => {
    const raw = ['X-Id-A', '1', 'x-id-b', '2', 'Webhook-Id', 'w', 'webhook-iD', 'w']
    const req = incoming(raw.slice(0, 4), { 'x-id-a': '1', 'x-id-b': '2' })
    expect(fromNodeRequest(req, { rawBodyHint: 'h' }).headers).toBe(req.headers)
    expect(fromNodeRequest(incoming(raw, {}), { rawBodyHint: 'h' }).headers['webhook-id']).toEqual(['w', 'w'])
  })

  test('a request with very many header lines is read through headersDistinct, its repeat found', () => {
    const raw = Array.from({ length: 200 }, (_, i) => [`X-Filler-${i}`, 'v']).flat()
    raw.push('Authorization', 'Bearer one', 'authorization', 'Bearer two')
    const headers = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`x-filler-${i}`, 'v']))
    const req = incoming(raw, { ...headers, authorization: 'Bearer one', 'x-request-id': 'r1' })
    expect(fromNodeRequest(req, { rawBodyHint: 'h' }).headers.authorization).toEqual(['Bearer one', 'Bearer two'])
  })
})

describe('fromNodeRequest paths and sockets', () => {
  test('the path of an absolute-form request target, and of one with a query', async () => {
    expect((await send('POST http://example.com/hooks/abs?x=1 HTTP/1.1\r\nHost: example.com')).request.path).toBe(
      '/hooks/abs',
    )
    expect((await send('POST /hooks?x=1 HTTP/1.1\r\nHost: a')).request.path).toBe('/hooks')
  })

  test('the raw query string, undecoded, in origin and absolute form; empty when there is none', async () => {
    const query = 'hub.mode=subscribe&hub.challenge=a+b%2Bc'
    expect((await send(`GET /hooks?${query} HTTP/1.1\r\nHost: a`)).request.query).toBe(query)
    expect((await send(`GET http://example.com/hooks?${query} HTTP/1.1\r\nHost: example.com`)).request.query).toBe(
      query,
    )
    expect((await send('POST /hooks HTTP/1.1\r\nHost: a')).request.query).toBe('')
  })

  test('every request on a keep-alive connection carries its address; a plain connection has no TLS peer', async () => {
    const { port } = server.address() as { port: number }
    const seenRequests: WebhookRequest[] = []
    const both = new Promise<void>((resolve) => {
      seen = (request) => {
        seenRequests.push(request)
        if (seenRequests.length === 2) resolve()
      }
    })
    const socket = connect(port, '127.0.0.1', () =>
      socket.write(
        'POST /one HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\nPOST /two HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
      ),
    )
    socket.resume()
    await both
    socket.destroy()
    expect(seenRequests.map((r) => [r.path, r.remoteAddress, r.tls])).toEqual([
      ['/one', '127.0.0.1', undefined],
      ['/two', '127.0.0.1', undefined],
    ])
  })
})

describe('fromNodeRequest and what a body parser left', () => {
  /** A request whose stream a parser did (or did not) consume, as far as fromNodeRequest reads it. */
  function incoming(consumed: { readableEnded?: boolean; _body?: boolean }) {
    const noop = () => {}
    return {
      method: 'POST',
      url: '/hooks',
      headers: {},
      rawHeaders: [],
      on: noop,
      removeListener: noop,
      pause: noop,
      ...consumed,
    }
  }

  test('an untouched stream is the body, and the leftover is never asked for', () => {
    let asked = 0
    const req = incoming({ readableEnded: false })
    const request = fromNodeRequest(req, { leftoverBody: () => asked++, rawBodyHint: 'hint' })
    expect(request.body).toBe(req)
    expect(request.bodyUnavailable).toBeUndefined()
    expect(asked).toBe(0)
  })

  test('after a raw parser, its bytes or text are the body', () => {
    const bytes = Buffer.from('{"a":1}')
    expect(fromNodeRequest(incoming({ _body: true }), { leftoverBody: () => bytes, rawBodyHint: 'hint' }).body).toBe(
      bytes,
    )
    const text = fromNodeRequest(incoming({ readableEnded: true }), { leftoverBody: () => '{"a":1}', rawBodyHint: 'h' })
    expect(text.body).toBe('{"a":1}')
    expect(text.bodyUnavailable).toBeUndefined()
  })

  test('what a parser left is marked decoded (Content-Encoding undone); the stream itself is not', () => {
    const bytes = Buffer.from('{"a":1}')
    expect(
      fromNodeRequest(incoming({ _body: true }), { leftoverBody: () => bytes, rawBodyHint: 'h' }).bodyDecoded,
    ).toBe(true)
    expect(fromNodeRequest(incoming({ readableEnded: false }), { rawBodyHint: 'h' }).bodyDecoded).toBeUndefined()
    const parsed = fromNodeRequest(incoming({ _body: true }), { leftoverBody: () => ({ a: 1 }), rawBodyHint: 'h' })
    expect(parsed.bodyDecoded).toBeUndefined()
  })

  test('after a JSON parser (or with no leftover at all), the raw body is gone and the hint says why', () => {
    const parsed = fromNodeRequest(incoming({ _body: true }), { leftoverBody: () => ({ a: 1 }), rawBodyHint: 'hint' })
    expect(parsed.bodyUnavailable).toBe('hint')
    expect(fromNodeRequest(incoming({ readableEnded: true }), { rawBodyHint: 'none' }).bodyUnavailable).toBe('none')
  })
})
