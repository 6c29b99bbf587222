import { parseArgs } from 'node:util'
import { generateSecret } from '../generate-secret.js'
import { exitCodes, UsageError } from './errors.js'
import { presetFrom } from './inputs.js'
import type { CliIo } from './io.js'
import { usage } from './usage.js'

/**
 * `hookguard secret`: prints a fresh secret in the sender's format (and the
 * public key, for an asymmetric scheme).
 *
 * @example
 * ```ts
 * await secretCommand(['--preset', 'svix'], processIo()) // whsec_…
 * ```
 */
export async function secretCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      preset: { type: 'string' },
      asymmetric: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  })
  if (values.help) {
    io.out(usage.secret)
    return exitCodes.ok
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`, 'secret')
  const preset = presetFrom(values.preset, 'secret')
  if (values.asymmetric && !['standard-webhooks', 'svix', 'jwt'].includes(preset)) {
    throw new UsageError(`--asymmetric applies to standard-webhooks, svix and jwt, not ${preset}`, 'secret')
  }
  const generated = generateSecret(preset, { asymmetric: values.asymmetric === true })
  if (values.json) io.out(`${JSON.stringify(generated)}\n`)
  else if (generated.publicKey === undefined) io.out(`${generated.secret}\n`)
  else {
    io.out(`# secret: the sender signs with it\n${generated.secret.trimEnd()}\n`)
    io.out(`# public key: the receiver verifies with it\n${generated.publicKey.trimEnd()}\n`)
  }
  return exitCodes.ok
}
