import { requireSecret } from '../keys.js'
import type { SignerOutput, SignInput } from '../types.js'

/**
 * Microsoft Graph change notifications: nothing is signed; each item of the
 * body's `value` carries the subscription's `clientState` (the secret). A
 * payload with a `value` list gets the clientState on every item; any other
 * JSON object becomes the one item of `{ value: [...] }`, with `changeType`
 * from `type` (default `created`). Graph sends no event id.
 */
export function signMicrosoftGraph(input: SignInput): SignerOutput {
  const clientState = requireSecret(input.options.secret, 'microsoft-graph')
  let payload: unknown
  try {
    payload = JSON.parse(new TextDecoder().decode(input.bytes))
  } catch {
    throw new TypeError('microsoft-graph: body must be a JSON object')
  }
  if (!isRecord(payload)) throw new TypeError('microsoft-graph: body must be a JSON object')
  const items = Array.isArray(payload.value)
    ? payload.value.map((item) => ({ ...(isRecord(item) ? item : {}), clientState }))
    : [{ changeType: input.options.type ?? 'created', ...payload, clientState }]
  return { headers: {}, body: JSON.stringify({ ...payload, value: items }) }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
