/**
 * The memory curve of `bench/scaling.ts`: a guard on `node:http` in its own
 * process (test/memory-server.ts, the server the memory test uses) holding
 * `uploads` concurrent slow bodies, each declared at the body limit and sent
 * all but its last byte, then never finished. Reports the server's RSS and
 * heap + ArrayBuffers before, while they are held, and after they are closed.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { type ClientRequest, request } from 'node:http'
import { fileURLToPath } from 'node:url'
import type { MemoryAnswer } from '../../test/memory-server.js'

export interface MemoryRow {
  uploads: number
  maxBodyBytes: number
  baseline: { rss: number; held: number }
  /** While every body is held: as is, then after a full collection. */
  during: { rss: number; held: number }
  duringCollected: { rss: number; held: number }
  after: { rss: number; held: number }
  /** RSS growth per held body over the baseline (no collection), bytes. */
  rssPerUpload: number
}

function start(maxBodyBytes: number): Promise<{ child: ChildProcess; port: number }> {
  const script = fileURLToPath(new URL('../../test/memory-server.ts', import.meta.url))
  const child = fork(script, [String(maxBodyBytes)], {
    execArgv: ['--expose-gc', '--conditions=source', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('memory server did not start within 30 s')), 30_000)
    child.once('message', (message: { port: number }) => {
      clearTimeout(timer)
      resolve({ child, port: message.port })
    })
    child.once('exit', (code) => reject(new Error(`memory server exited with ${code}`)))
  })
}

export async function memoryCurve(uploadCounts: readonly number[], maxBodyBytes: number): Promise<MemoryRow[]> {
  const rows: MemoryRow[] = []
  for (const uploads of uploadCounts) rows.push(await measureOnce(uploads, maxBodyBytes))
  return rows
}

async function measureOnce(uploads: number, maxBodyBytes: number): Promise<MemoryRow> {
  const { child, port } = await start(maxBodyBytes)
  let seq = 0
  const ask = (gc: boolean) =>
    new Promise<MemoryAnswer>((resolve, reject) => {
      const asked = ++seq
      const timer = setTimeout(() => reject(new Error('no memory answer within 30 s')), 30_000)
      const onMessage = (answer: MemoryAnswer) => {
        if (answer.seq !== asked) return
        clearTimeout(timer)
        child.off('message', onMessage)
        resolve(answer)
      }
      child.on('message', onMessage)
      child.send({ seq: asked, gc })
    })
  const point = (m: MemoryAnswer) => ({ rss: m.rss, held: m.heapUsed + m.arrayBuffers })
  const waitUntil = async (check: (m: MemoryAnswer) => boolean, what: string) => {
    const deadline = Date.now() + 120_000
    for (;;) {
      const m = await ask(false)
      if (check(m)) return
      if (Date.now() > deadline) throw new Error(`memory curve: ${what} did not happen within 120 s`)
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
  try {
    const baseline = await ask(true)
    // A (forged) signature header, so the guard reads the bodies rather than refusing them unread.
    const headers = {
      'content-type': 'application/json',
      'webhook-signature': 'v1,forged',
      'content-length': String(maxBodyBytes),
    }
    const requests: ClientRequest[] = []
    const chunk = Buffer.alloc(maxBodyBytes - 1, 0x20)
    for (let i = 0; i < uploads; i++) {
      const req = request({ host: '127.0.0.1', port, path: '/slow', method: 'POST', headers, agent: false })
      req.on('error', () => {})
      req.write(chunk)
      requests.push(req)
    }
    await waitUntil((m) => m.slowBytes >= uploads * (maxBodyBytes - 1), 'receiving every body')
    const during = await ask(false)
    const duringCollected = await ask(true)
    for (const req of requests) req.destroy()
    await waitUntil((m) => m.answered >= uploads, 'answering every closed upload')
    await new Promise((resolve) => setTimeout(resolve, 500))
    const after = await ask(true)
    return {
      uploads,
      maxBodyBytes,
      baseline: point(baseline),
      during: point(during),
      duringCollected: point(duringCollected),
      after: point(after),
      rssPerUpload: (during.rss - baseline.rss) / uploads,
    }
  } finally {
    child.kill('SIGKILL')
  }
}
