import { request } from 'node:http'
import { gzipSync } from 'node:zlib'
import { eventBody } from '@hookguard/core'
import { expect } from 'vitest'
import { dedupeKey } from '../packages/core/src/dedupe/dedupe-key.js'
import { testSecret } from '../packages/core/test-support/sign.js'
import { deliver, expectRejected, expectVerdict, headersFor, waitFor } from './cases/support.js'
import { abandonUpload, codeLogger, countingStore, type HostileCase } from './hostile-support.js'
import { send } from './http-client.js'

/** Sends the head and one chunk of a chunked body, then stays silent; resolves with the status. */
function stallChunked(
  url: string,
  headers: Record<string, string>,
  chunk: string,
): Promise<{ status: number; code: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' }, agent: false })
    req.on('error', reject)
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        req.destroy()
        resolve({ status: res.statusCode ?? 0, code: JSON.parse(Buffer.concat(chunks).toString()).code })
      })
    })
    req.write(chunk)
  })
}

/** What a framework may report when the sender drops the connection mid-body. */
const clientAbortCodes = new Set(['HPE_INVALID_EOF_STATE', 'ECONNRESET', 'ECONNABORTED'])

const everyByte = Uint8Array.from({ length: 512 }, (_, i) => (i * 7) % 256)

export const bodyCases: readonly HostileCase[] = [
  {
    name: 'hands every byte value of a non-UTF-8 body to the event exactly',
    async run(start) {
      const server = await start()
      const reply = await deliver(server, {
        id: 'msg_bytes',
        body: everyByte,
        contentType: 'text/plain; charset=utf-8',
      })
      expectVerdict(reply, 202, 'accepted')
      expect(Buffer.from(eventBody(server.enqueued[0]!))).toEqual(Buffer.from(everyByte))
    },
  },
  {
    name: 'refuses a body re-serialized after signing (401), however equal its JSON',
    async run(start) {
      const server = await start()
      const signed = '{\n  "type": "scan.completed",\n  "amount": 1.50,\n  "note": "caf\\u00e9"\n}'
      const headers = headersFor({ id: 'msg_reserialized', body: signed })
      const reply = await send(server.url, { headers, body: JSON.stringify(JSON.parse(signed)) })
      expectRejected(server, reply, 401, 'invalid_signature')
    },
  },
  {
    name: "parseJson: 'eager': invalid JSON under a valid signature takes no claim; a later valid delivery is accepted",
    async run(start) {
      const store = countingStore()
      const server = await start({ dedupe: store, parseJson: 'eager' })
      for (const broken of ['{"type":', '{"a":1}{"b":2}', '[1,]', 'NaN']) {
        expectVerdict(await deliver(server, { id: 'msg_json_later', body: broken }), 400, 'invalid_json')
      }
      expect(store.claims).toEqual([])
      expectVerdict(await deliver(server, { id: 'msg_json_later' }), 202, 'accepted')
      expect(server.enqueued.map((e) => e.id)).toEqual(['msg_json_later'])
    },
  },
  {
    name: 'gzip without decompress: 415; with it: accepted, bombs 413, corrupt 400, other codings 415',
    async run(start) {
      const plain = await start()
      const compressed = gzipSync(JSON.stringify({ type: 'zipped' }))
      const zipped = (id: string, bytes: Uint8Array, coding = 'gzip') => ({
        headers: { ...headersFor({ id, body: JSON.stringify({ type: 'zipped' }) }), 'content-encoding': coding },
        body: bytes,
      })
      expectRejected(plain, await send(plain.url, zipped('msg_gz_off', compressed)), 415, 'unsupported_encoding')

      const server = await start({ decompress: true, maxBodyBytes: 64 * 1024 })
      expectVerdict(await send(server.url, zipped('msg_gz', compressed)), 202, 'accepted')
      expect(new TextDecoder().decode(eventBody(server.enqueued[0]!))).toBe('{"type":"zipped"}')
      const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024))
      expect(bomb.byteLength).toBeLessThan(64 * 1024)
      expectVerdict(await send(server.url, zipped('msg_gz_bomb', bomb)), 413, 'payload_too_large')
      const corrupt = Uint8Array.from([...compressed.subarray(0, 12), 0xff, 0xff, 0xff, 0xff])
      expectVerdict(await send(server.url, zipped('msg_gz_corrupt', corrupt)), 400, 'invalid_body')
      expectVerdict(await send(server.url, zipped('msg_gz_br', compressed, 'br')), 415, 'unsupported_encoding')
      expectVerdict(
        await send(server.url, zipped('msg_gz_twice', compressed, 'gzip, gzip')),
        415,
        'unsupported_encoding',
      )
      expect(server.enqueued.map((e) => e.id)).toEqual(['msg_gz'])
    },
  },
  {
    name: 'answers 408 when a chunked body stalls part-way',
    async run(start) {
      const server = await start({ bodyTimeoutMs: 150 })
      const reply = await stallChunked(server.url, headersFor({ id: 'msg_chunk_stall' }), '{"type":')
      expect(reply).toEqual({ status: 408, code: 'body_timeout' })
      expect(server.enqueued).toEqual([])
    },
  },
  {
    name: 'survives a sender that closes mid-body, then serves the next request',
    async run(start) {
      const logger = codeLogger()
      const store = countingStore()
      // An idle timeout far beyond the wait below: only the sender's hang-up can end this body in time.
      const server = await start({ bodyTimeoutMs: 20_000, logger, dedupe: store })
      const headers = headersFor({ id: 'msg_abandoned' })
      await abandonUpload(server.url, headers, 4096, '{"type":"scan.completed","pad":"')
      await waitFor(() => logger.codes.length > 0)
      expect(logger.codes[0]).toBe('invalid_body')
      expect(store.claims).toEqual([])
      expectVerdict(await deliver(server, { id: 'msg_abandoned' }), 202, 'accepted')
      expect(server.enqueued.map((e) => e.id)).toEqual(['msg_abandoned'])
      // Koa reports the sender's own abort (a parse error at EOF) to `app.on('error')`; anything else still fails.
      const others = server.errors.filter((error) => !clientAbortCodes.has((error as { code?: string }).code ?? ''))
      server.errors.splice(0, server.errors.length, ...others)
    },
  },
  {
    name: 'forged deliveries carrying a real id, first or alongside, never block the real one',
    async run(start) {
      const store = countingStore()
      const server = await start({ dedupe: store })
      const stranger = testSecret('stranger')
      const forged = (id: string) => send(server.url, { headers: headersFor({ id, body: '{"forged":1}' }), body: '{}' })
      expectVerdict(await forged('msg_real'), 401, 'invalid_signature')
      const wrongKey = await send(server.url, {
        headers: { ...headersFor({ id: 'msg_real' }), 'webhook-signature': `v1,${stranger.key.toString('base64')}` },
        body: '{}',
      })
      expectVerdict(wrongKey, 401, 'invalid_signature')
      const replies = await Promise.all([
        ...Array.from({ length: 10 }, () => forged('msg_real')),
        deliver(server, { id: 'msg_real' }),
        ...Array.from({ length: 10 }, () => forged('msg_real')),
      ])
      expect(replies.map((r) => r.status).sort()).toEqual([202, ...Array(20).fill(401)])
      expect(store.claims).toEqual([dedupeKey('hookguard', '', 'msg_real')])
      expect(server.enqueued.map((e) => e.id)).toEqual(['msg_real'])
    },
  },
]
