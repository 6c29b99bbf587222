import { sha256 } from '#crypto'
import { WebhookError } from '../errors.js'
import { singleHeader } from '../lib/headers.js'
import { safeEqualBytes } from '../verify/constant-time.js'
import type { Keys } from '../verify/key-resolver.js'
import { compileKeys, randomBytes } from '../verify/keyring.js'
import { nonEmptyString, requireOptions } from '../verify/option-checks.js'
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

const encoder = new TextEncoder()

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
  const digests = compileKeys(options.token, {
    where: 'gitlab',
    option: 'token',
    compile: (token, label) => sha256(encoder.encode(nonEmptyString(token, 'gitlab', label))),
    decoy: () => sha256(randomBytes(32)),
    refusal: 'invalid_token',
  })
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
    async verify(ctx: VerifyContext): Promise<VerifyResult> {
      const value = singleHeader(ctx.headers, 'x-gitlab-token')
      if (value === undefined || value === '')
        throw new WebhookError('missing_credentials', 'missing x-gitlab-token header')
      const presented = await sha256(encoder.encode(value))
      return await digests.use(ctx, async (expected) => {
        let matched = false
        for (const digest of expected) matched = safeEqualBytes(presented, await digest) || matched
        if (!matched) throw new WebhookError('invalid_token', 'x-gitlab-token matches none of the configured tokens')
        return {}
      })
    },
    invalidate: (tenant) => digests.invalidate(tenant),
  }
}
