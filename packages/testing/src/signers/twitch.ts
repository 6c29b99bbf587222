import { hmac, requireSecret } from '../keys.js'
import type { SignerOutput, SignInput } from '../types.js'

/**
 * Twitch EventSub: `Twitch-Eventsub-Message-Signature: sha256=<hex HMAC-SHA256
 * of id + timestamp + body>`, the id in `Twitch-Eventsub-Message-Id`, the
 * timestamp as RFC 3339 in `Twitch-Eventsub-Message-Timestamp`, the message type
 * `notification` (set `headers` to send a `revocation`: it is not signed) and
 * the subscription type (`type`, else the payload's `subscription.type`).
 */
export function signTwitch(input: SignInput): SignerOutput {
  const secret = requireSecret(input.options.secret, 'twitch')
  const timestamp = new Date(input.timestamp * 1000).toISOString()
  const type = input.options.type ?? subscriptionType(input.bytes)
  return {
    headers: {
      'twitch-eventsub-message-id': input.id,
      'twitch-eventsub-message-retry': String(input.attempt),
      'twitch-eventsub-message-type': 'notification',
      'twitch-eventsub-message-signature': `sha256=${hmac('sha256', secret, [input.id, timestamp, input.bytes], 'hex')}`,
      'twitch-eventsub-message-timestamp': timestamp,
      ...(type === undefined ? {} : { 'twitch-eventsub-subscription-type': type }),
      'twitch-eventsub-subscription-version': '1',
    },
    id: input.id,
  }
}

function subscriptionType(bytes: Uint8Array): string | undefined {
  try {
    const type = (JSON.parse(new TextDecoder().decode(bytes)) as { subscription?: { type?: unknown } })?.subscription
      ?.type
    return typeof type === 'string' ? type : undefined
  } catch {
    return undefined
  }
}
