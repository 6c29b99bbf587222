import type { ProviderList } from './provider-list.js'

/**
 * GitHub.com's webhook senders: the `hooks` field of the meta API
 * (https://api.github.com/meta). Snapshot of 2026-12-01: the six long-standing
 * ranges and the three /28s GitHub's changelog added on 2026-10-29
 * ("Webhook IP ranges added to the Meta API").
 */
export const githubIps: ProviderList = {
  name: 'github',
  snapshot: [
    '192.30.252.0/22',
    '185.199.108.0/22',
    '140.82.112.0/20',
    '143.55.64.0/20',
    '2a0a:a440::/29',
    '2606:50c0::/32',
    '9.234.98.160/28',
    '9.234.98.176/28',
    '9.234.106.48/28',
  ],
  snapshotDate: '2026-12-01',
  url: 'https://api.github.com/meta',
  headers: { accept: 'application/vnd.github+json', 'user-agent': 'hookguard' },
  extract: (json) => (json as { hooks?: unknown } | null)?.hooks,
}
