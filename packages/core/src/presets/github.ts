import { hmacSignature } from '../verify/hmac-signature.js'
import type { Keys } from '../verify/key-resolver.js'
import { requireOptions } from '../verify/option-checks.js'
import type { Verifier } from '../verify/verifier.js'

/** Options for {@link github}. */
export interface GithubOptions {
  /** The webhook's secret, or several during a rotation. */
  secret: Keys<string>
}

/**
 * Verifies GitHub webhooks: `X-Hub-Signature-256: sha256=<hex>`, an
 * HMAC-SHA256 of the raw body. GitHub signs no timestamp, so there is no
 * replay window, and `X-GitHub-Delivery` (the event id) is not signed: the
 * signature digest is claimed as a second dedupe key, so a captured delivery
 * re-sent under a fresh delivery id is still a duplicate (two deliveries with
 * byte-identical bodies count as one). The event type is `X-GitHub-Event`.
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [github({ secret: process.env.GITHUB_WEBHOOK_SECRET! })],
 *   enqueue: async (event) => queue.add(event.type ?? 'github', event),
 * })
 * ```
 */
export function github(options: GithubOptions): Verifier {
  requireOptions(options, 'github')
  return hmacSignature({
    name: 'github',
    secret: options.secret,
    header: 'x-hub-signature-256',
    algorithm: 'sha256',
    encoding: 'hex',
    prefix: 'sha256=',
    eventId: { header: 'x-github-delivery' },
    eventType: { header: 'x-github-event' },
    keepHeaders: ['x-github-delivery', 'x-github-event', 'x-github-hook-id'],
  })
}
