import { describe, expect, test } from 'vitest'
import { guardOptions } from './cases.js'
import { type StartedTarget, targets } from './harness.js'
import { hostileCases } from './hostile-cases.js'
import { failOnUncaughtOrForbidden } from './watch-replies.js'

// Hostile input never earns a redirect, a 410 or a server error.
failOnUncaughtOrForbidden((r) => (r.status >= 300 && r.status < 400) || r.status === 410 || r.status >= 500)

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
          await hostileCase.run(async (overrides, setup) => {
            const server = await target.start(guardOptions(overrides), setup)
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
