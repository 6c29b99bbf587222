import { request } from 'node:http'
import { gzipSync } from 'node:zlib'
import { bearerToken } from '@hookguard/core'
import { expect } from 'vitest'
import { deliver, expectRejected, expectVerdict, headersFor } from './cases/support.js'
import type { HostileCase } from './hostile-support.js'
import { type Reply, send } from './http-client.js'

/** A JSON array nested `depth` deep: valid JSON that `JSON.stringify` cannot write back (RangeError). */
const nestedArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`

/**
 * Sends the head and `first` of a chunked body, then `rest` one byte every
 * `everyMs`, then ends it; resolves with the reply, whenever it comes. With
 * no `rest` and `end: false` the body never ends.
 */
function trickle(
  url: string,
  headers: Record<string, string>,
  first: string,
  rest = '',
  { everyMs = 100, end = true } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' }, agent: false })
    let sent = 0
    const timer = setInterval(() => {
      if (sent < rest.length) req.write(rest[sent++] as string)
      else if (end) {
        clearInterval(timer)
        req.end()
      }
    }, everyMs)
    req.on('error', (error) => {
      clearInterval(timer)
      reject(error)
    })
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        clearInterval(timer)
        req.destroy()
        const text = Buffer.concat(chunks).toString('utf8')
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: JSON.parse(text) })
      })
    })
    req.write(first)
  })
}

/** What a forged, compressed or slow request may cost, and that it never changes the answer. */
export const costCases: readonly HostileCase[] = [
  {
    name: 'a forged body nested 32 000 deep (valid JSON) is 401 invalid_signature, whatever the diagnosis meets',
    async run(start) {
      const server = await start()
      // 64 000 bytes: inside the 64 KiB the signature diagnosis still reads.
      const body = nestedArray(32_000)
      expect(() => JSON.stringify(JSON.parse(body))).toThrow(RangeError)
      const reply = await send(server.url, { headers: headersFor({ id: 'msg_deep' }), body })
      expectRejected(server, reply, 401, 'invalid_signature')
    },
  },
  {
    name: 'no credential headers: 401 before the body is read, however long the body would take',
    async run(start) {
      // An idle timeout answers 408: a 401 shows the body was never waited for.
      const server = await start({ bodyTimeoutMs: 1_000 })
      const plain = { 'content-type': 'application/json' }
      expectRejected(
        server,
        await send(server.url, { headers: plain, body: '{"type":', framing: 'stall' }),
        401,
        'missing_signature',
      )
      const never = await trickle(server.url, plain, '{"type":', '', { end: false })
      expectRejected(server, never, 401, 'missing_signature')
      // The id and timestamp without the signature: a proxy that strips it.
      const { 'webhook-signature': _, ...stripped } = headersFor({ id: 'msg_stripped' })
      expectRejected(
        server,
        await send(server.url, { headers: stripped, body: '{}', framing: 'stall' }),
        401,
        'missing_signature',
      )
      expectVerdict(await deliver(server, { id: 'msg_after' }), 202, 'accepted')
      expect(server.enqueued.map((e) => e.id)).toEqual(['msg_after'])
    },
  },
  {
    name: 'no credential headers for a bearer token: 401 missing_credentials before the body is read',
    async run(start) {
      const server = await start({
        verify: [bearerToken({ tokens: 'tok_right' })],
        eventId: { header: 'x-id' },
        bodyTimeoutMs: 1_000,
      })
      const reply = await send(server.url, { headers: { 'x-id': 'd1' }, body: '{"type":', framing: 'stall' })
      expectRejected(server, reply, 401, 'missing_credentials')
      const signed = { 'x-id': 'd2', authorization: 'Bearer tok_right' }
      expectVerdict(await send(server.url, { headers: signed, body: '{}' }), 202, 'accepted')
    },
  },
  {
    name: 'a body trickled past bodyDeadlineMs is 408 body_timeout, though no pause reaches bodyTimeoutMs',
    async run(start) {
      const server = await start({ bodyTimeoutMs: 200, bodyDeadlineMs: 300 })
      const body = `{"type":"slow","pad":"${'x'.repeat(20)}"}`
      const headers = headersFor({ id: 'msg_slow', body })
      // One byte every 100 ms: the whole body would take 3.5 s.
      const reply = await trickle(server.url, headers, body.slice(0, 8), body.slice(8))
      expectRejected(server, reply, 408, 'body_timeout')
      expectVerdict(await deliver(server, { id: 'msg_prompt' }), 202, 'accepted')
      const chunked = await send(server.url, {
        headers: headersFor({ id: 'msg_chunked' }),
        body: '{"type":"scan.completed","data":{"scanId":"abc"}}',
        framing: 'chunked',
      })
      expectVerdict(chunked, 202, 'accepted')
      expect(server.enqueued.map((e) => e.id)).toEqual(['msg_prompt', 'msg_chunked'])
    },
  },
  {
    name: 'decompress: a gzip body inflating past 100× its size is 413 though within the limit; no credentials, never inflated',
    async run(start) {
      const server = await start({ decompress: true })
      const inflated = `{"type":"zipped","pad":"${'x'.repeat(200_000)}"}`
      const bomb = gzipSync(inflated)
      expect(inflated.length).toBeGreaterThan(100 * bomb.byteLength)
      const headers = { ...headersFor({ id: 'msg_ratio', body: inflated }), 'content-encoding': 'gzip' }
      expectRejected(server, await send(server.url, { headers, body: bomb }), 413, 'payload_too_large')
      // Corrupt gzip with no signature: refused before any inflating, so not 400 invalid_body.
      const corrupt = Uint8Array.from([0x1f, 0x8b, 8, 0, 0xff, 0xff, 0xff, 0xff])
      const unsigned = { 'content-type': 'application/json', 'content-encoding': 'gzip' }
      expectRejected(server, await send(server.url, { headers: unsigned, body: corrupt }), 401, 'missing_signature')
      const modest = `{"type":"zipped","pad":"${'ab'.repeat(500)}"}`
      const fine = { ...headersFor({ id: 'msg_modest', body: modest }), 'content-encoding': 'gzip' }
      expectVerdict(await send(server.url, { headers: fine, body: gzipSync(modest) }), 202, 'accepted')
    },
  },
]
