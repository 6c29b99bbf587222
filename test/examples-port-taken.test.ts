// Every example, started on a port something else holds, must say EADDRINUSE and exit non-zero: not print
// "listening" and exit 0, nor keep running without listening.
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { expect, test } from 'vitest'

const examples = ['express', 'express-observability', 'express-redis-bullmq', 'fastify', 'hono', 'koa']

/** Runs an example the way `npm start` does (tsx; workspace packages from source), until it exits or 60 s pass (tsx starts slowly on a loaded machine). */
function run(example: string, port: number, metricsPort: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'server.ts'], {
      cwd: join(import.meta.dirname, '..', 'examples', example),
      env: { ...process.env, PORT: String(port), METRICS_PORT: String(metricsPort), NODE_ENV: 'development' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
    })
    child.stderr.on('data', (chunk) => {
      output += chunk
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

test.concurrent.each(examples)(
  '%s: a port already taken fails with EADDRINUSE and a non-zero exit',
  { timeout: 90_000 },
  async (example) => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const free = createServer()
    await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve))
    const metricsPort = (free.address() as { port: number }).port
    await new Promise((resolve) => free.close(resolve))
    try {
      const { code, output } = await run(example, (taken.address() as { port: number }).port, metricsPort)
      expect(output).toContain('EADDRINUSE')
      expect(output).not.toContain('listening on')
      expect(code).not.toBe(0)
      // Killed after 60 s would be `null`: it must exit by itself.
      expect(code).not.toBeNull()
    } finally {
      await new Promise((resolve) => taken.close(resolve))
    }
  },
)
