import { describe, expect, test } from 'vitest'
import { handshakeCases } from './cases/handshakes.js'
import { conformanceCases } from './cases/index.js'
import { presetCases } from './cases/presets.js'
import { guardOptions } from './cases/support.js'
import { type StartedTarget, targets } from './harness.js'
import { hostileCases } from './hostile-cases.js'
import { failOnUncaughtOrForbidden } from './watch-replies.js'

// Senders follow redirects badly and disable endpoints on 410: no case may ever see one.
failOnUncaughtOrForbidden((r) => (r.status >= 300 && r.status < 400) || r.status === 410)

const allCases = [...conformanceCases, ...presetCases, ...handshakeCases]

test('a case a target is excused from names a case there is', () => {
  const names = new Set([...allCases, ...hostileCases].map((c) => c.name))
  for (const target of targets)
    for (const name of Object.keys(target.frameworkAnswersFirst ?? {})) expect(names).toContain(name)
})

for (const target of targets) {
  describe(target.name, () => {
    for (const conformanceCase of allCases) {
      const answeredFirst = target.frameworkAnswersFirst?.[conformanceCase.name]
      test.skipIf(answeredFirst !== undefined)(conformanceCase.name, async () => {
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
