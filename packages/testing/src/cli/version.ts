import { readFile } from 'node:fs/promises'

/**
 * The `@hookguard/testing` version, read from its `package.json` (two folders
 * up from both `src/cli` and `dist/cli`).
 *
 * @example
 * ```ts
 * io.out(`${await packageVersion()}\n`)
 * ```
 */
export async function packageVersion(): Promise<string> {
  const text = await readFile(new URL('../../package.json', import.meta.url), 'utf8')
  return (JSON.parse(text) as { version: string }).version
}
