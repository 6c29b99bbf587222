import { describe, expect, test } from 'vitest'
import { guardOptions } from './cases/support.js'
import { type StartedTarget, targets } from './harness.js'
import { hostileCases } from './hostile-cases.js'
import { failOnUncaughtOrForbidden } from './watch-replies.js'

// Hostile input never earns a redirect, a 410 or a server error.
failOnUncaughtOrForbidden((r) => (r.status >= 300 && r.status < 400) || r.status === 410 || r.status >= 500)

// The repeated-header cases expect one outcome per target, by its trait: both kinds must be among the targets.
test('some targets join repeated headers and some keep them apart', () => {
  expect(new Set(targets.map((t) => t.joinsRepeatedHeaders))).toEqual(new Set([true, false]))
})

for (const target of targets) {
  describe(`hostile input: ${target.name}`, () => {
    for (const hostileCase of hostileCases) {
      test(hostileCase.name, async () => {
        const started: StartedTarget[] = []
        try {
          await hostileCase.run(async (overrides, setup) => {
            const server = await target.start(guardOptions(overrides), setup)
            started.push(server)
            return server
          }, target)
          for (const server of started) expect(server.errors).toEqual([])
        } finally {
          await Promise.all(started.map((server) => server.close()))
        }
      })
    }
  })
}
