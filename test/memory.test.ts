import { type ChildProcess, fork } from 'node:child_process'
import { type ClientRequest, request } from 'node:http'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { waitFor } from './cases/support.js'
import type { MemoryAnswer } from './memory-server.js'

const maxBodyBytes = 64 * 1024
const slowUploads = 250
const oversizedUploads = 250
/** Every upload at once could hold its whole limit: the bound is a few times that. */
const budget = 3 * (slowUploads + oversizedUploads) * maxBodyBytes
const MiB = 1024 * 1024

let child: ChildProcess
let port: number
let seq = 0

/** Asks the server process for its memory (after a full collection when `gc`). */
function measure(gc: boolean): Promise<MemoryAnswer> {
  const asked = ++seq
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no memory answer within 10 s')), 10_000)
    const onMessage = (answer: MemoryAnswer) => {
      if (answer.seq !== asked) return
      clearTimeout(timer)
      child.off('message', onMessage)
      resolve(answer)
    }
    child.on('message', onMessage)
    child.send({ seq: asked, gc })
  })
}

const held = (m: MemoryAnswer) => m.heapUsed + m.arrayBuffers

beforeAll(async () => {
  const script = fileURLToPath(new URL('./memory-server.ts', import.meta.url))
  child = fork(script, [String(maxBodyBytes)], {
    execArgv: ['--expose-gc', '--conditions=source', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('memory server did not start within 15 s')), 15_000)
    child.once('message', (message: { port: number }) => {
      clearTimeout(timer)
      resolve(message.port)
    })
    child.once('exit', (code) => reject(new Error(`memory server exited with ${code}`)))
  })
}, 20_000)

afterAll(() => {
  if (child.exitCode === null) child.kill('SIGKILL')
})

function upload(path: string, headers: Record<string, string>): { req: ClientRequest; status: Promise<number> } {
  const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers, agent: false })
  const status = new Promise<number>((resolve) => {
    req.on('response', (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', () => resolve(0))
  })
  return { req, status }
}

/** Streams 64 KiB chunks, without ever ending, until the server answers or 2 MiB went out. */
async function streamUntilAnswered(req: ClientRequest, answered: Promise<number>): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024, 0x61)
  let done = false
  void answered.then(() => (done = true))
  for (let sent = 0; !done && sent < 2 * MiB; sent += chunk.byteLength) {
    if (!req.write(chunk)) await Promise.race([new Promise((resolve) => req.once('drain', resolve)), answered])
  }
  // A server that never answers an over-limit body would hold it: give up waiting after a while.
  return Promise.race([answered, new Promise<number>((resolve) => setTimeout(resolve, 15_000, -1).unref())])
}

test('500 concurrent slow or oversized uploads keep the server within its limits, and memory returns', async () => {
  const baseline = await measure(true)

  // A (forged) signature header, so the guard reads the bodies rather than refusing them unread.
  const signed = { 'content-type': 'application/json', 'webhook-signature': 'v1,forged' }
  const slow = Array.from({ length: slowUploads }, () =>
    upload('/slow', { ...signed, 'content-length': String(maxBodyBytes) }),
  )
  for (const { req } of slow) req.write(Buffer.alloc(maxBodyBytes / 2, 0x20))
  const oversized = Array.from({ length: oversizedUploads }, () =>
    upload('/big', { ...signed, 'transfer-encoding': 'chunked' }),
  )
  // The client may see the 413 or, writing on after it, a reset connection; the server's count is the check.
  const oversizedStatuses = await Promise.all(oversized.map(({ req, status }) => streamUntilAnswered(req, status)))
  expect(oversizedStatuses.filter((status) => status !== 413 && status !== 0)).toEqual([])
  await waitFor(() => latest.slowBytes >= (slowUploads * maxBodyBytes) / 2, 15_000, poll)
  expect(latest.bigStatuses).toEqual({ 413: oversizedUploads })

  const during = await measure(false)
  const duringCollected = await measure(true)
  for (const { req } of slow) req.destroy()
  await waitFor(() => latest.answered === slowUploads + oversizedUploads, 15_000, poll)
  // Closed sockets give their buffers back over the next few ticks: look again a few times (bounded).
  let after = await measure(true)
  for (let look = 0; look < 5 && held(after) - held(baseline) >= 4 * MiB; look++) {
    await new Promise((resolve) => setTimeout(resolve, 300))
    after = await measure(true)
  }

  const growth = (m: MemoryAnswer) => Math.round((held(m) - held(baseline)) / MiB)
  console.info(
    `memory: baseline heap+buffers ${Math.round(held(baseline) / MiB)} MiB, rss ${Math.round(baseline.rss / MiB)} MiB;` +
      ` growth during ${growth(during)} MiB (after gc ${growth(duringCollected)} MiB), after ${growth(after)} MiB;` +
      ` budget ${budget / MiB} MiB`,
  )
  expect(held(during) - held(baseline)).toBeLessThan(budget)
  expect(held(duringCollected) - held(baseline)).toBeLessThan(budget)
  // The slow bodies really were held (so the bound above measured something), and were let go.
  expect(held(duringCollected) - held(baseline)).toBeGreaterThan((slowUploads * maxBodyBytes) / 2 / 2)
  expect(held(after) - held(baseline)).toBeLessThan(8 * MiB)
}, 60_000)

let latest: MemoryAnswer = { seq: 0, heapUsed: 0, arrayBuffers: 0, rss: 0, slowBytes: 0, answered: 0, bigStatuses: {} }
/** Refreshes `latest` before each check of `waitFor`. */
async function poll(): Promise<void> {
  latest = await measure(false)
}
