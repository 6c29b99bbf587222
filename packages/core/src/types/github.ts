// GitHub's payload types come from `@octokit/webhooks-types`, types only: install it beside hookguard
// (`npm i -D @octokit/webhooks-types`); nothing of it runs, and @hookguard/core lists it as an optional peer.
import type { WebhookEventMap, WebhookEventName } from '@octokit/webhooks-types'

/** Every `X-GitHub-Event` name GitHub sends. */
export type GitHubEventType = WebhookEventName

/**
 * GitHub's webhook events by `X-GitHub-Event` name (the `github` preset's
 * event type), mapped to their payloads, for `createGuard<GitHubEvents>`:
 * `event.type` autocompletes and narrows `event.payload`. A type map is a
 * promise, not a check: add `allowTypes` for the events you handle.
 *
 * @example
 * ```ts
 * import { createGuard, github } from '@hookguard/core'
 * import type { GitHubEvents } from '@hookguard/core/types/github'
 *
 * const guard = createGuard<GitHubEvents>({
 *   verify: [github({ secret: process.env.GITHUB_WEBHOOK_SECRET! })],
 *   allowTypes: ['push', 'pull_request'],
 *   enqueue: async (event) => {
 *     if (event.type === 'push') await queue.add('push', event.payload.ref)
 *   },
 * })
 * ```
 */
export type GitHubEvents = WebhookEventMap
