import { singleHeader } from '../lib/headers.js'
import type { Keys } from '../verify/key-resolver.js'
import { requireOptions } from '../verify/option-checks.js'
import { checkSecretHeader, secretDigests } from '../verify/secret-header.js'
import type { Verifier, VerifyContext, VerifyResult } from '../verify/verifier.js'

/** Options for {@link gitlab}. */
export interface GitlabOptions {
  /**
   * The webhook's secret token, or several during a rotation (each may carry
   * its window, `{ key, notBefore, notAfter }`), or a resolver (`keyResolver`,
   * or a plain function) that looks the tenant's tokens up.
   */
  token: Keys<string>
}

/**
 * Verifies GitLab webhooks: `X-Gitlab-Token`, the webhook's secret token sent
 * as it is, compared in constant time (both sides hashed first, so neither
 * content nor length leaks). GitLab signs nothing: the token proves who sent
 * the request, not what it holds, and a captured delivery can be re-sent with
 * any body until the token is changed; only the id's dedupe stops the same
 * delivery twice. The id is `Idempotency-Key` (kept across GitLab's retries),
 * else (older GitLab) `X-Gitlab-Webhook-UUID`; not `X-Gitlab-Event-UUID`,
 * which every hook that one root event sets off shares. The type is
 * `X-Gitlab-Event` (`Push Hook`, …).
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [gitlab({ token: process.env.GITLAB_WEBHOOK_TOKEN! })],
 *   enqueue: async (event) => queue.add(event.type ?? 'gitlab', event),
 * })
 * ```
 */
export function gitlab(options: GitlabOptions): Verifier {
  requireOptions(options, 'gitlab')
  const digests = secretDigests(options.token, 'gitlab', 'token')
  return {
    name: 'gitlab',
    credentialHeaders: ['x-gitlab-token'],
    keepHeaders: [
      'idempotency-key',
      'x-gitlab-event',
      'x-gitlab-event-uuid',
      'x-gitlab-webhook-uuid',
      'x-gitlab-instance',
    ],
    eventId: (ctx) =>
      singleHeader(ctx.headers, 'idempotency-key') ?? singleHeader(ctx.headers, 'x-gitlab-webhook-uuid'),
    eventType: { header: 'x-gitlab-event' },
    verify: (ctx: VerifyContext): Promise<VerifyResult> => checkSecretHeader(ctx, 'x-gitlab-token', digests, 'tokens'),
    invalidate: (tenant) => digests.invalidate(tenant),
  }
}
