import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { guardOptions } from './cases.js'
import { type StartedTarget, targets } from './harness.js'
import { hostileCases } from './hostile-cases.js'
import { replies } from './http-client.js'

// Anything thrown outside a request's own promise chain fails the case it happened in.
const uncaught: unknown[] = []
const recordUncaught = (error: unknown) => uncaught.push(error)
beforeAll(() => {
  process.on('uncaughtException', recordUncaught)
  process.on('unhandledRejection', recordUncaught)
})
afterEach(() => {
  expect(uncaught.splice(0)).toEqual([])
  const unsafe = replies
    .splice(0)
    .filter((r) => (r.status >= 300 && r.status < 400) || r.status === 410 || r.status >= 500)
  expect(unsafe).toEqual([])
})
afterAll(() => {
  process.off('uncaughtException', recordUncaught)
  process.off('unhandledRejection', recordUncaught)
})

/** Targets that build a Web `Request`, whose `Headers` join repeated header lines. */
// Targets that see repeated headers already joined (Web `Headers`). Hono on @hono/node-server reads the
// Node request directly, so it keeps them apart like the other Node targets.
const webTargets = new Set(['core guard.handle on a Web Request'])

test('every Web target is known by name', () => {
  for (const name of webTargets) expect(targets.map((t) => t.name)).toContain(name)
})

for (const target of targets) {
  describe(`hostile input: ${target.name}`, () => {
    for (const hostileCase of hostileCases) {
      test(hostileCase.name, async () => {
        const started: StartedTarget[] = []
        try {
          const traits = { joinsRepeatedHeaders: webTargets.has(target.name) }
          await hostileCase.run(async (overrides) => {
            const server = await target.start(guardOptions(overrides))
            started.push(server)
            return server
          }, traits)
          for (const server of started) expect(server.errors).toEqual([])
        } finally {
          await Promise.all(started.map((server) => server.close()))
        }
      })
    }
  })
}
