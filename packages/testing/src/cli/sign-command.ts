import { parseArgs } from 'node:util'
import { newEventId } from '../ids.js'
import { signRequest } from '../sign-request.js'
import { exitCodes, UsageError } from './errors.js'
import { curlLine } from './format.js'
import { integerFrom, presetFrom, signingOptions, signOptionsFrom, withPayloadId } from './inputs.js'
import type { CliIo } from './io.js'
import { usage } from './usage.js'

const defaultUrl = 'http://127.0.0.1:3000/hooks'

/**
 * `hookguard sign`: prints the headers a sender would send and a ready `curl` line.
 *
 * @example
 * ```ts
 * await signCommand(['--preset', 'svix', '--secret', 'whsec_…', '--body', '@event.json'], processIo())
 * ```
 */
export async function signCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { ...signingOptions, timestamp: { type: 'string' }, url: { type: 'string' } },
    allowPositionals: true,
  })
  if (values.help) {
    io.out(usage.sign)
    return exitCodes.ok
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`, 'sign')
  const preset = presetFrom(values.preset, 'sign')
  const options = await signOptionsFrom(values, preset, io, 'sign')
  const timestamp = integerFrom(values.timestamp, '--timestamp', 0, 2 ** 40, 'sign')
  const url = values.url ?? defaultUrl
  const id = values.id ?? newEventId(preset)
  const signed = await signRequest(preset, {
    ...options,
    body: withPayloadId(preset, options.body, id, values.id !== undefined),
    ...(values.id === undefined ? {} : { id: values.id }),
    url,
    ...(timestamp === undefined ? {} : { timestamp }),
  })
  if (values.json) {
    const body = typeof signed.body === 'string' ? signed.body : new TextDecoder().decode(signed.body)
    io.out(`${JSON.stringify({ ...signed, body }, null, 2)}\n`)
    return exitCodes.ok
  }
  for (const [name, value] of Object.entries(signed.headers)) io.out(`${name}: ${value}\n`)
  io.out(`\n${curlLine(signed.url ?? url, signed)}\n`)
  return exitCodes.ok
}
