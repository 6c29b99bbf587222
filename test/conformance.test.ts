import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { conformanceCases, guardOptions } from './cases.js'
import { type StartedTarget, targets } from './harness.js'
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
  // Senders follow redirects badly and disable endpoints on 410: no case may ever see one.
  const forbidden = replies.splice(0).filter((r) => (r.status >= 300 && r.status < 400) || r.status === 410)
  expect(forbidden).toEqual([])
})
afterAll(() => {
  process.off('uncaughtException', recordUncaught)
  process.off('unhandledRejection', recordUncaught)
})

for (const target of targets) {
  describe(target.name, () => {
    for (const conformanceCase of conformanceCases) {
      test(conformanceCase.name, async () => {
        const started: StartedTarget[] = []
        try {
          await conformanceCase.run(async (overrides) => {
            const server = await target.start(guardOptions(overrides))
            started.push(server)
            return server
          })
          for (const server of started) expect(server.errors).toEqual([])
        } finally {
          await Promise.all(started.map((server) => server.close()))
        }
      })
    }
  })
}
