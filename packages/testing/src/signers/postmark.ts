import { requireSecret } from '../keys.js'
import type { SignerOutput, SignInput } from '../types.js'

/** Record types Postmark sends more than once per message: their id needs a payload field this signer does not fill. */
const repeating = new Set(['Open', 'Click', 'SubscriptionChange', 'Bounce'])

/**
 * Postmark: HTTP Basic credentials (`username`, default `postmark`, and the
 * secret as the password), nothing signed. A JSON object payload without
 * `MessageID` gets the event id as its `MessageID` and `type` (default
 * `Delivery`) as its `RecordType`; the id reported is `RecordType:MessageID`.
 */
export function signPostmark(input: SignInput): SignerOutput {
  const password = requireSecret(input.options.secret, 'postmark')
  const username = input.options.username ?? 'postmark'
  if (username === '' || username.includes(':'))
    throw new TypeError('postmark: username must be a user name without ":"')
  const authorization = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`
  let payload: unknown
  try {
    payload = JSON.parse(new TextDecoder().decode(input.bytes))
  } catch {
    return { headers: { authorization } }
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return { headers: { authorization } }
  const record = payload as Record<string, unknown>
  const filled =
    typeof record.MessageID === 'string'
      ? record
      : { RecordType: input.options.type ?? 'Delivery', MessageID: input.id, ...record }
  const type = typeof filled.RecordType === 'string' ? filled.RecordType : 'Inbound'
  const id = repeating.has(type) ? undefined : `${type}:${String(filled.MessageID)}`
  return {
    headers: { authorization },
    ...(filled === record ? {} : { body: JSON.stringify(filled) }),
    ...(id === undefined ? {} : { id }),
  }
}
