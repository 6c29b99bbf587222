import { exitCodes } from './errors.js'

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
  for (const stream of [process.stdout, process.stderr]) {
    if (!stream.listeners('error').includes(endOnClosedPipe)) stream.on('error', endOnClosedPipe)
  }
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

/** A reader that closes early (`hookguard … | head -1`) ends the run quietly, as it does other Unix tools. */
function endOnClosedPipe(error: NodeJS.ErrnoException): void {
  if (error.code === 'EPIPE') process.exit(exitCodes.ok)
  throw error
}
