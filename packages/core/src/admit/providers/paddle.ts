import type { ProviderList } from './provider-list.js'

/**
 * Paddle Billing's webhook senders, live accounts, as its documentation lists
 * them ("Handle webhook delivery", https://developer.paddle.com/webhooks/respond-to-webhooks).
 * Paddle publishes no machine-readable list: a snapshot only, of 2026-12-01.
 */
export const paddleIps: ProviderList = {
  name: 'paddle',
  snapshot: ['34.232.58.13', '34.195.105.136', '34.237.3.244', '35.155.119.135', '52.11.166.252', '34.212.5.7'],
  snapshotDate: '2026-12-01',
}

/** The same, sandbox accounts. */
export const paddleSandboxIps: ProviderList = {
  name: 'paddle-sandbox',
  snapshot: ['34.194.127.46', '54.234.237.108', '3.208.120.145', '44.226.236.210', '44.241.183.62', '100.20.172.113'],
  snapshotDate: '2026-12-01',
}
