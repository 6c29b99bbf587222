import { jwt } from '../verify/jwt.js'
import { nonEmptyString, nonNegativeNumber, oneOrMore, optionError, requireOptions } from '../verify/option-checks.js'
import type { Verifier } from '../verify/verifier.js'

/** Google's OAuth 2.0 key set, which signs the OIDC tokens of Pub/Sub push subscriptions. */
export const googleJwksUrl = 'https://www.googleapis.com/oauth2/v3/certs'

/** Options for {@link googlePubSub}. */
export interface GooglePubSubOptions {
  /** The audience set on the push subscription (by default the push endpoint's URL). */
  audience: string | readonly string[]
  /** The service account the subscription authenticates as: the token's `email`. */
  serviceAccountEmail: string
  /** The key set to fetch. Default Google's (`https://www.googleapis.com/oauth2/v3/certs`). */
  jwksUrl?: string | URL
  /** Allowed clock difference for `exp`, `nbf` and `iat`, in seconds. Default 60. */
  clockToleranceSeconds?: number
}

/**
 * Verifies Google Cloud Pub/Sub push deliveries with authentication on: an
 * RS256 OIDC token in `Authorization: Bearer`, signed by one of Google's keys,
 * issued by `accounts.google.com` (or `https://accounts.google.com`) for your
 * `audience`, with `email` = your service account and `email_verified` true.
 * The event id is the body's `message.messageId`; the claims are recorded on
 * the event. If Google's key set cannot be fetched the answer is 503, so
 * Pub/Sub redelivers.
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [
 *     googlePubSub({
 *       audience: 'https://hooks.example.com/pubsub',
 *       serviceAccountEmail: 'pusher@my-project.iam.gserviceaccount.com',
 *     }),
 *   ],
 *   enqueue: async (event) => queue.add('pubsub', event),
 * })
 * ```
 */
export function googlePubSub(options: GooglePubSubOptions): Verifier {
  const where = 'googlePubSub'
  requireOptions(options, where)
  const email = options.serviceAccountEmail
  if (typeof email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(email)) {
    throw optionError(where, 'serviceAccountEmail', 'an email address')
  }
  for (const [i, audience] of oneOrMore(options.audience, where, 'audience').entries()) {
    nonEmptyString(audience, where, `audience[${i}]`)
  }
  if (options.clockToleranceSeconds !== undefined) {
    nonNegativeNumber(options.clockToleranceSeconds, where, 'clockToleranceSeconds')
  }
  const verifier = jwt({
    name: 'google-pubsub',
    jwksUrl: options.jwksUrl ?? googleJwksUrl,
    algorithms: ['RS256'],
    issuer: ['accounts.google.com', 'https://accounts.google.com'],
    audience: options.audience,
    claims: { email, email_verified: true },
    ...(options.clockToleranceSeconds === undefined ? {} : { clockToleranceSeconds: options.clockToleranceSeconds }),
  })
  return { ...verifier, eventId: { payload: 'message.messageId' } }
}
