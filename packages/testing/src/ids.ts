import { randomBytes, randomInt, randomUUID } from 'node:crypto'
import type { PresetName } from './presets.js'

/**
 * A fresh event id in the format the sender uses: `msg_…` (Svix, Standard
 * Webhooks, QStash), a UUID (GitHub, Shopify), `evt_…` (Stripe), `Ev…` (Slack),
 * digits (Pub/Sub).
 *
 * @example
 * ```ts
 * newEventId('svix') // 'msg_3f9c…'
 * ```
 */
export function newEventId(preset: PresetName): string {
  switch (preset) {
    case 'github':
    case 'shopify':
    case 'linear':
    case 'gitlab':
    case 'twitch':
    case 'okta':
      return randomUUID()
    case 'paddle':
      return `evt_${randomBytes(13).toString('hex')}`
    case 'stripe':
      return `evt_${randomBytes(12).toString('hex')}`
    case 'slack':
      return `Ev${randomBytes(5).toString('hex').toUpperCase()}`
    case 'google-pubsub':
      return String(randomInt(1, 2 ** 47)) + String(randomInt(100, 1000))
    case 'bearer':
    case 'jwt':
      return `evt_${randomBytes(12).toString('hex')}`
    default:
      return `msg_${randomBytes(12).toString('hex')}`
  }
}
