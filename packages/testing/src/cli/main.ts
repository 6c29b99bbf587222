import { exitCodes, UsageError } from './errors.js'
import { handshakeCommand } from './handshake-command.js'
import { inboxCommand } from './inbox-command.js'
import { type CliIo, processIo } from './io.js'
import { secretCommand } from './secret-command.js'
import { sendCommand } from './send-command.js'
import { signCommand } from './sign-command.js'
import { usage } from './usage.js'
import { packageVersion } from './version.js'

const commands = {
  sign: signCommand,
  send: sendCommand,
  secret: secretCommand,
  handshake: handshakeCommand,
  inbox: inboxCommand,
} as const

/** `parseArgs` reports bad options as TypeErrors with these codes. */
const parseErrorCodes = new Set([
  'ERR_PARSE_ARGS_UNKNOWN_OPTION',
  'ERR_PARSE_ARGS_INVALID_OPTION_VALUE',
  'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL',
])

/**
 * Runs the `hookguard` CLI and resolves to its exit code: 0 ok, 1 some
 * deliveries failed (inbox: the row was refused), 2 usage error, 3 network error.
 *
 * @example
 * ```ts
 * import { main } from '@hookguard/testing/cli'
 * process.exitCode = await main(process.argv.slice(2))
 * ```
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...args] = argv
  if (name === undefined) {
    io.err(usage.main)
    return exitCodes.usage
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(usage.main)
    return exitCodes.ok
  }
  if (name === '--version' || name === '-v') {
    io.out(`${await packageVersion()}\n`)
    return exitCodes.ok
  }
  if (!Object.hasOwn(commands, name)) {
    io.err(`hookguard: unknown command "${name}": use sign, send, secret, handshake or inbox (hookguard --help)\n`)
    return exitCodes.usage
  }
  const command = name as keyof typeof commands
  try {
    return await commands[command](args, io)
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code
    if (error instanceof UsageError || (typeof code === 'string' && parseErrorCodes.has(code))) {
      io.err(`hookguard ${command}: ${(error as Error).message}\nRun hookguard ${command} --help for the options.\n`)
      return exitCodes.usage
    }
    if (error instanceof TypeError) {
      // The library's own option checks (a malformed secret, a key of the wrong type).
      io.err(`hookguard ${command}: ${error.message}\n`)
      return exitCodes.usage
    }
    throw error
  }
}
