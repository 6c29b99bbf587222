import { payloadString } from '../body.js'
import { hmac, requireSecret } from '../keys.js'
import type { SignerOutput, SignInput } from '../types.js'

/**
 * Slack: `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:timestamp:body">` and
 * `X-Slack-Request-Timestamp`; a retry carries `X-Slack-Retry-Num` and
 * `X-Slack-Retry-Reason`. The event id is the payload's `event_id`.
 */
export function signSlack(input: SignInput): SignerOutput {
  const secret = requireSecret(input.options.secret, 'slack')
  const { timestamp, bytes, attempt } = input
  const id = payloadString(bytes, 'event_id')
  return {
    headers: {
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': `v0=${hmac('sha256', secret, [`v0:${timestamp}:`, bytes], 'hex')}`,
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      ...(attempt > 0 ? { 'x-slack-retry-num': String(attempt), 'x-slack-retry-reason': 'http_error' } : {}),
    },
    ...(id === undefined ? {} : { id }),
  }
}
