import { hmac, requireSecret } from '../keys.js'
import type { SignerOutput, SignInput } from '../types.js'

/** The body with `webhookTimestamp` (Unix ms) set, when it is a JSON object without one; else unchanged. */
function withWebhookTimestamp(body: string | Uint8Array, milliseconds: number): string | undefined {
  try {
    const text = typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: true }).decode(body)
    const payload = JSON.parse(text) as unknown
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return undefined
    if ('webhookTimestamp' in payload) return undefined
    return JSON.stringify({ ...payload, webhookTimestamp: milliseconds })
  } catch {
    return undefined
  }
}

/**
 * Linear: `Linear-Signature`, the hex HMAC-SHA256 of the raw body, whose
 * `webhookTimestamp` (Unix ms, set from the timestamp when a JSON object
 * lacks it) is the signed time; `Linear-Delivery` (the id), `Linear-Event`
 * (default `Issue`) and `Linear-Timestamp`.
 */
export function signLinear(input: SignInput): SignerOutput {
  const secret = requireSecret(input.options.secret, 'linear')
  const milliseconds = input.timestamp * 1000
  const body = withWebhookTimestamp(input.body, milliseconds)
  const bytes = body === undefined ? input.bytes : new TextEncoder().encode(body)
  return {
    headers: {
      'linear-delivery': input.id,
      'linear-event': input.options.type ?? 'Issue',
      'linear-timestamp': String(milliseconds),
      'linear-signature': hmac('sha256', secret, [bytes], 'hex'),
      'user-agent': 'Linear-Webhook',
    },
    ...(body === undefined ? {} : { body }),
    id: input.id,
  }
}
