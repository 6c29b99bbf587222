import { hmacSignature } from '../verify/hmac-signature.js'
import { nonEmptyString, oneOrMore, requireOptions } from '../verify/option-checks.js'
import type { Verifier } from '../verify/verifier.js'

/** Options for {@link slack}. */
export interface SlackOptions {
  /** The app's signing secret (Basic Information → App Credentials), or several during a rotation. */
  signingSecret: string | readonly string[]
  /** Allowed clock difference in seconds, both directions. Default 300 (Slack's five minutes). */
  toleranceSeconds?: number
}

/**
 * Verifies Slack requests: `X-Slack-Signature: v0=<hex>`, an HMAC-SHA256 of
 * `v0:<timestamp>:<body>`, with the timestamp in `X-Slack-Request-Timestamp`
 * and a five-minute window. The event id is the Events API's `event_id`; the
 * type is the inner `event.type`, else the payload's `type`.
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [slack({ signingSecret: process.env.SLACK_SIGNING_SECRET! })],
 *   enqueue: async (event) => queue.add('slack', event),
 * })
 * ```
 */
export function slack(options: SlackOptions): Verifier {
  requireOptions(options, 'slack')
  const secrets = oneOrMore(options.signingSecret, 'slack', 'signingSecret')
  for (const [i, secret] of secrets.entries()) nonEmptyString(secret, 'slack', `signingSecret[${i}]`)
  return hmacSignature({
    name: 'slack',
    secret: secrets,
    header: 'x-slack-signature',
    algorithm: 'sha256',
    encoding: 'hex',
    prefix: 'v0=',
    timestamp: { header: 'x-slack-request-timestamp' },
    signedContent: 'v0:{timestamp}:{body}',
    toleranceSeconds: options.toleranceSeconds ?? 300,
    eventId: { payload: 'event_id' },
    eventType: { payload: 'event.type' },
    keepHeaders: ['x-slack-request-timestamp', 'x-slack-retry-num', 'x-slack-retry-reason'],
  })
}
