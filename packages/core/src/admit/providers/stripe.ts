import type { ProviderList } from './provider-list.js'

/**
 * Stripe's webhook senders: `WEBHOOKS` in https://stripe.com/files/ips/ips_webhooks.json
 * (the list https://docs.stripe.com/ips links to). Snapshot of 2026-12-01.
 */
export const stripeIps: ProviderList = {
  name: 'stripe',
  snapshot: [
    '3.18.12.63',
    '3.130.192.231',
    '13.235.14.237',
    '13.235.122.149',
    '18.211.135.69',
    '35.154.171.200',
    '52.15.183.38',
    '54.88.130.119',
    '54.88.130.237',
    '54.187.174.169',
    '54.187.205.235',
    '54.187.216.72',
  ],
  snapshotDate: '2026-12-01',
  url: 'https://stripe.com/files/ips/ips_webhooks.json',
  headers: { accept: 'application/json' },
  extract: (json) => (json as { WEBHOOKS?: unknown } | null)?.WEBHOOKS,
}
