import { readFile } from 'node:fs/promises'
import type { ParseArgsConfig } from 'node:util'
import { isPresetName, type PresetName, payloadIdFields, presetNames } from '../presets.js'
import type { SignOptions } from '../types.js'
import { UsageError } from './errors.js'
import type { CliIo } from './io.js'

/** The options `sign` and `send` share. */
export const signingOptions = {
  preset: { type: 'string' },
  secret: { type: 'string' },
  'private-key': { type: 'string' },
  body: { type: 'string' },
  id: { type: 'string' },
  type: { type: 'string' },
  'token-header': { type: 'string' },
  username: { type: 'string' },
  issuer: { type: 'string' },
  audience: { type: 'string' },
  subject: { type: 'string' },
  'content-type': { type: 'string' },
  'signed-url': { type: 'string' },
  'topic-arn': { type: 'string' },
  'cert-url': { type: 'string' },
  'add-header': { type: 'string', short: 'H', multiple: true },
  tenant: { type: 'string' },
  'tenant-header': { type: 'string' },
  'tenant-claim': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options']

/** What `parseArgs` returns for {@link signingOptions}. */
export type SigningValues = {
  [K in keyof typeof signingOptions]?: (typeof signingOptions)[K] extends { type: 'boolean' }
    ? boolean
    : (typeof signingOptions)[K] extends { multiple: true }
      ? string[]
      : string
}

const defaultBody = '{"type":"hookguard.test"}'

/** The preset, or a usage error that lists the valid ones. */
export function presetFrom(value: string | undefined, command: string): PresetName {
  if (value === undefined) throw new UsageError(`missing --preset: use one of ${presetNames.join(', ')}`, command)
  if (!isPresetName(value))
    throw new UsageError(`unknown preset "${value}": use one of ${presetNames.join(', ')}`, command)
  return value
}

async function readArgumentFile(value: string, option: string, command: string): Promise<Buffer> {
  try {
    return await readFile(value.slice(1))
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable'
    throw new UsageError(`${option}: cannot read ${value.slice(1)} (${reason})`, command)
  }
}

/** The body: literal text, `@file` (bytes as they are), or `-` (stdin). */
export async function bodyFrom(value: string | undefined, io: CliIo, command: string): Promise<string | Uint8Array> {
  if (value === undefined) return defaultBody
  if (value === '-') return io.readStdin()
  if (value.startsWith('@')) return new Uint8Array(await readArgumentFile(value, '--body', command))
  return value
}

/** A whole number within bounds, or a usage error naming the option. */
export function integerFrom(value: string | undefined, option: string, min: number, max: number, command: string) {
  if (value === undefined) return undefined
  const number = Number(value)
  if (!/^\d+$/.test(value) || number < min || number > max) {
    throw new UsageError(`${option} must be a whole number from ${min} to ${max}`, command)
  }
  return number
}

/** A number within bounds, or a usage error naming the option. */
export function numberFrom(value: string | undefined, option: string, min: number, max: number, command: string) {
  if (value === undefined) return undefined
  const number = Number(value)
  if (value.trim() === '' || !Number.isFinite(number) || number < min || number > max) {
    throw new UsageError(`${option} must be a number from ${min} to ${max}`, command)
  }
  return number
}

/** `name: value` pairs from `-H`. */
function headersFrom(values: readonly string[] | undefined, command: string): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const value of values ?? []) {
    const colon = value.indexOf(':')
    const name = value.slice(0, colon).trim()
    if (colon <= 0 || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) {
      throw new UsageError(`--add-header must be "name: value", got "${value}"`, command)
    }
    headers[name.toLowerCase()] = value.slice(colon + 1).trim()
  }
  return headers
}

/**
 * The secret from the environment: `WEBHOOK_SECRET`, the name the examples
 * and READMEs use, or its older alias `HOOKGUARD_SECRET`.
 */
export function envSecret(env: Readonly<Record<string, string | undefined>>): string | undefined {
  return env.WEBHOOK_SECRET || env.HOOKGUARD_SECRET || undefined
}

/** The signing options from the command line, with the secret from `--secret`, `@file` or `$WEBHOOK_SECRET`. */
export async function signOptionsFrom(
  values: SigningValues,
  preset: PresetName,
  io: CliIo,
  command: string,
): Promise<Omit<SignOptions, 'body'> & { body: string | Uint8Array }> {
  let secret = values.secret ?? envSecret(io.env)
  if (secret?.startsWith('@')) secret = (await readArgumentFile(secret, '--secret', command)).toString('utf8').trim()
  const privateKey = values['private-key']?.startsWith('@')
    ? (await readArgumentFile(values['private-key'], '--private-key', command)).toString('utf8')
    : values['private-key']
  if ((secret === undefined || secret === '') && privateKey === undefined) {
    const keyHint =
      preset === 'google-pubsub' || preset === 'sendgrid' || preset === 'sns' ? ' or --private-key @key.pem' : ''
    throw new UsageError(
      `missing --secret${keyHint} for ${preset} (or set WEBHOOK_SECRET); make one with: hookguard secret --preset ${preset}`,
      command,
    )
  }
  const options: Omit<SignOptions, 'body'> & { body: string | Uint8Array } = {
    body: await bodyFrom(values.body, io, command),
    headers: headersFrom(values['add-header'], command),
  }
  if (secret !== undefined && secret !== '') options.secret = secret
  if (privateKey !== undefined) options.privateKey = privateKey
  if (values.type !== undefined) options.type = values.type
  if (values['token-header'] !== undefined) options.header = values['token-header']
  if (values.username !== undefined) options.username = values.username
  if (values.issuer !== undefined) options.issuer = values.issuer
  if (values.audience !== undefined) options.audience = values.audience
  if (values.subject !== undefined) options.subject = values.subject
  if (values['content-type'] !== undefined) options.contentType = values['content-type']
  if (values.tenant !== undefined) {
    options.tenant = values.tenant
    if (values['tenant-header'] !== undefined) options.tenantIn = { header: values['tenant-header'] }
    else if (values['tenant-claim'] !== undefined) options.tenantIn = { claim: values['tenant-claim'] }
  } else if (values['tenant-header'] !== undefined || values['tenant-claim'] !== undefined) {
    throw new UsageError('--tenant-header and --tenant-claim need --tenant', command)
  }
  if (values['signed-url'] !== undefined) options.signedUrl = values['signed-url']
  if (preset === 'sns') {
    options.sns = {
      ...(values['topic-arn'] === undefined ? {} : { topicArn: values['topic-arn'] }),
      ...(values['cert-url'] === undefined ? {} : { certificateUrl: values['cert-url'] }),
      ...(values.subject === undefined ? {} : { subject: values.subject }),
    }
  }
  return options
}

/**
 * The body with the event id written into it, for senders that carry the id in
 * the payload (Stripe's `id`, Slack's `event_id`): when `overwrite`, or when the
 * payload has none. Other bodies are unchanged.
 */
export function withPayloadId(
  preset: PresetName,
  body: string | Uint8Array,
  id: string,
  overwrite: boolean,
): string | Uint8Array {
  const field = payloadIdFields[preset]
  if (field === undefined) return body
  try {
    const text = typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: true }).decode(body)
    const payload = JSON.parse(text) as unknown
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return body
    if (!overwrite && typeof (payload as Record<string, unknown>)[field] === 'string') return body
    return JSON.stringify({ ...payload, [field]: id })
  } catch {
    return body
  }
}
