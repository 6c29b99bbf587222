import { parseArgs } from 'node:util'
import { type HandshakeName, handshakeNames, handshakeRequest } from '../handshake-request.js'
import { exitCodes, UsageError } from './errors.js'
import { shellQuote } from './format.js'
import type { CliIo } from './io.js'
import { usage } from './usage.js'

/**
 * `hookguard handshake <name>`: prints the verification request a sender
 * makes (a ready `curl` line) and the answer it expects.
 *
 * @example
 * ```ts
 * await handshakeCommand(['meta-subscribe', '--verify-token', 'meatyhamhock'], processIo())
 * ```
 */
export async function handshakeCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      secret: { type: 'string' },
      'verify-token': { type: 'string' },
      header: { type: 'string' },
      challenge: { type: 'string' },
      url: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  })
  if (values.help) {
    io.out(usage.handshake)
    return exitCodes.ok
  }
  const [name, extra] = positionals
  if (name === undefined || !(handshakeNames as readonly string[]).includes(name)) {
    throw new UsageError(`name a handshake: ${handshakeNames.join(', ')}`, 'handshake')
  }
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, 'handshake')
  const shake = handshakeRequest(name as HandshakeName, {
    secret: values.secret ?? io.env.HOOKGUARD_SECRET,
    verifyToken: values['verify-token'],
    header: values.header,
    challenge: values.challenge,
    url: values.url,
  })
  if (values.json) {
    io.out(`${JSON.stringify(shake, null, 2)}\n`)
    return exitCodes.ok
  }
  const parts = ['curl', '-sS', '-i', '-X', shake.method, shellQuote(shake.url)]
  for (const [header, value] of Object.entries(shake.headers)) parts.push('-H', shellQuote(`${header}: ${value}`))
  if (shake.body !== undefined) parts.push('--data-binary', shellQuote(shake.body))
  io.out(
    `${parts.join(' ')}\n\nexpected: ${shake.expected.status} ${shake.expected.contentType}\n${shake.expected.body}\n`,
  )
  return exitCodes.ok
}
