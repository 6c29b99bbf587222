import { requireSecret } from '../keys.js'
import type { SignerOutput, SignInput } from '../types.js'

/**
 * Okta event hooks: the secret as the whole value of the configured header
 * (`header`, default `authorization`), nothing signed. A JSON object payload
 * without `eventId` gets the event id as its `eventId`.
 */
export function signOkta(input: SignInput): SignerOutput {
  const secret = requireSecret(input.options.secret, 'okta')
  const headers = { [(input.options.header ?? 'authorization').toLowerCase()]: secret }
  const payload = objectOf(input.bytes)
  if (payload === undefined) return { headers }
  if (typeof payload.eventId === 'string') return { headers, id: payload.eventId }
  return { headers, body: JSON.stringify({ eventId: input.id, ...payload }), id: input.id }
}

function objectOf(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes))
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}
