import { describe, expect, test } from 'vitest'
import { handshakeCases } from './cases/handshakes.js'
import { conformanceCases } from './cases/index.js'
import { presetCases } from './cases/presets.js'
import { guardOptions } from './cases/support.js'
import { type StartedTarget, targets } from './harness.js'
import { failOnUncaughtOrForbidden } from './watch-replies.js'

// Senders follow redirects badly and disable endpoints on 410: no case may ever see one.
failOnUncaughtOrForbidden((r) => (r.status >= 300 && r.status < 400) || r.status === 410)

const allCases = [...conformanceCases, ...presetCases, ...handshakeCases]

for (const target of targets) {
  describe(target.name, () => {
    for (const conformanceCase of allCases) {
      test(conformanceCase.name, async () => {
        const started: StartedTarget[] = []
        try {
          await conformanceCase.run(async (overrides, setup) => {
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
