/** The senders and schemes {@link signRequest} can sign for, by the names the CLI takes. */
export const presetNames = [
  'standard-webhooks',
  'svix',
  'bearer',
  'jwt',
  'stripe',
  'github',
  'slack',
  'shopify',
  'qstash',
  'google-pubsub',
  'clerk',
  'resend',
  'polar',
  'replicate',
  'supabase-auth-hook',
  'liveblocks',
  'linear',
  'lemon-squeezy',
  'vercel',
  'paddle',
  'gitlab',
  'meta',
  'zoom',
  'dropbox',
  'discord',
  'postmark',
  'workos',
  'sendgrid',
  'twitch',
  'microsoft-graph',
  'x',
  'okta',
  'twilio',
  'hubspot',
  'square',
  'mailgun',
  'sns',
] as const

/**
 * A sender or scheme: `standard-webhooks` and `svix` (Standard Webhooks, `v1`
 * HMAC or `v1a` Ed25519), `bearer`, `jwt`, and the sender presets.
 *
 * @example
 * ```ts
 * const preset: PresetName = 'stripe'
 * ```
 */
export type PresetName = (typeof presetNames)[number]

/**
 * Whether a string names a preset.
 *
 * @example
 * ```ts
 * if (!isPresetName(flag)) throw new Error(`unknown preset; use one of ${presetNames.join(', ')}`)
 * ```
 */
export function isPresetName(value: unknown): value is PresetName {
  return typeof value === 'string' && (presetNames as readonly string[]).includes(value)
}

/** Presets whose event id lives in the JSON payload, not in a header: the field's name. */
export const payloadIdFields: Partial<Record<PresetName, string>> = {
  stripe: 'id',
  slack: 'event_id',
  vercel: 'id',
  paddle: 'event_id',
  workos: 'id',
  okta: 'eventId',
  square: 'event_id',
}
