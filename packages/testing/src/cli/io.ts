/** Where the CLI writes and reads; the process's streams by default. */
export interface CliIo {
  out(text: string): void
  err(text: string): void
  /** Whether stdout is a terminal (live progress line) or not (plain lines). */
  isTTY: boolean
  /** Reads all of stdin, for `--body -`. */
  readStdin(): Promise<Uint8Array>
  env: Readonly<Record<string, string | undefined>>
}

/**
 * The process's streams.
 *
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2), processIo())
 * ```
 */
export function processIo(): CliIo {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    isTTY: process.stdout.isTTY === true,
    async readStdin() {
      const chunks: Buffer[] = []
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
      return new Uint8Array(Buffer.concat(chunks))
    },
    env: process.env,
  }
}
