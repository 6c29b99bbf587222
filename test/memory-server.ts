// A guard on plain node:http in its own process, for memory measurements.
// Started by memory.test.ts with `node --expose-gc --conditions=source --import tsx`; answers memory
// questions over IPC and tells the parent its port once it listens.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createGuard, standardWebhooks } from '@hookguard/core'
import { fromNodeRequest } from '@hookguard/core/adapter'
import { testSecret } from '../packages/core/test-support/sign.js'

/** What the parent asks for: a measurement, after a full collection when `gc` is set. */
export interface MemoryQuestion {
  seq: number
  gc: boolean
}

/** What the child answers. */
export interface MemoryAnswer {
  seq: number
  heapUsed: number
  arrayBuffers: number
  rss: number
  /** Body bytes received on `/slow` so far. */
  slowBytes: number
  /** Requests answered so far. */
  answered: number
  /** How many `/big` requests got each status. */
  bigStatuses: Record<string, number>
}

/** The body limit, from the first argument. */
const maxBodyBytes = Number(process.argv[2])
const guard = createGuard({
  verify: [standardWebhooks({ secret: testSecret('primary').whsec })],
  enqueue: () => {},
  maxBodyBytes,
  bodyTimeoutMs: 60_000,
  bodyDeadlineMs: 60_000,
})
let slowBytes = 0
let answered = 0
const bigStatuses: Record<string, number> = {}

const server = createServer((req, res) => {
  if (req.url === '/slow') req.on('data', (chunk: Buffer) => (slowBytes += chunk.byteLength))
  guard.process(fromNodeRequest(req, { rawBodyHint: 'none' })).then((verdict) => {
    answered += 1
    if (req.url === '/big') bigStatuses[verdict.status] = (bigStatuses[verdict.status] ?? 0) + 1
    res.writeHead(verdict.status, verdict.headers).end(verdict.body)
  })
})

process.on('message', (question: MemoryQuestion) => {
  if (question.gc) (globalThis as { gc?: () => void }).gc?.()
  const usage = process.memoryUsage()
  const answer: MemoryAnswer = {
    seq: question.seq,
    heapUsed: usage.heapUsed,
    arrayBuffers: usage.arrayBuffers,
    rss: usage.rss,
    slowBytes,
    answered,
    bigStatuses,
  }
  process.send?.(answer)
})
process.on('disconnect', () => process.exit(0))

server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }))
