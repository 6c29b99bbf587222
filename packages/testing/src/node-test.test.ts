import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

const file = fileURLToPath(new URL('../test-support/node-test-example.ts', import.meta.url))

test('the package works under node:test (node --test runs a small suite that uses it)', async () => {
  const run = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', '--test', '--test-reporter=tap', file],
      { timeout: 30_000 },
      (error, stdout) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout }),
    )
  })
  expect(run.stdout).toContain('ok 1 - a svix-signed request passes the guard under node:test')
  expect(run.stdout).toContain('ok 2 - a request signed with another secret is refused')
  expect(run.stdout).toMatch(/# pass 2\n# fail 0/)
  expect(run.code).toBe(0)
})
