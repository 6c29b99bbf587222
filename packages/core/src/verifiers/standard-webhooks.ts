import { base64Decode, hmacKey } from '#crypto'
import { safeEqual } from '../constant-time.js'
import type { HmacKey } from '../crypto/port.js'
import { WebhookError } from '../errors.js'
import { joinedHeader, singleHeader } from '../headers.js'
import { checkTimestamp } from '../timestamp.js'
import type { Verifier, VerifyContext, VerifyResult } from '../verifier.js'

/** Options for {@link standardWebhooks}. */
export interface StandardWebhooksOptions {
  /**
   * The endpoint's signing secret (`whsec_…` or bare base64), or several
   * during a rotation: a signature made with any of them passes.
   */
  secret: string | readonly string[]
  /** Allowed clock difference in seconds, both directions. Default: the guard's (300). */
  toleranceSeconds?: number
  /** Signature entries inspected at most. Default 16. */
  maxSignatures?: number
}

const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const headerSets = [
  { id: 'webhook-id', timestamp: 'webhook-timestamp', signature: 'webhook-signature' },
  { id: 'svix-id', timestamp: 'svix-timestamp', signature: 'svix-signature' },
] as const

/** Decodes a `whsec_` secret once, at creation. */
export function decodeWhsecSecret(secret: unknown, option: string): Uint8Array {
  if (typeof secret !== 'string' || secret.length === 0) throw new TypeError(`${option} must be a non-empty string`)
  const encoded = secret.startsWith('whsec_') ? secret.slice(6) : secret
  if (!base64Pattern.test(encoded) || encoded.length === 0) {
    throw new TypeError(`${option} must be base64, optionally prefixed with whsec_`)
  }
  return base64Decode(encoded)
}

/**
 * Verifies the Standard Webhooks scheme (symmetric `v1`), which Svix sends
 * under `svix-*` header names: an HMAC-SHA256 of `id.timestamp.body` over the
 * raw bytes, in `webhook-signature` as a space-separated list of
 * `v1,<base64>` entries. Provides the event id and timestamp.
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [standardWebhooks({ secret: process.env.WEBHOOK_SECRET! })],
 *   enqueue: async (event) => queue.add(event),
 * })
 * ```
 */
export function standardWebhooks(options: StandardWebhooksOptions): Verifier {
  const secrets = Array.isArray(options?.secret) ? options.secret : [options?.secret]
  if (secrets.length === 0) throw new TypeError('standardWebhooks: secret must not be an empty array')
  const keys: HmacKey[] = secrets.map((s, i) =>
    hmacKey('sha256', decodeWhsecSecret(s, `standardWebhooks: secret[${i}]`)),
  )
  const maxSignatures = options.maxSignatures ?? 16
  const tolerance = options.toleranceSeconds

  return {
    name: 'standard-webhooks',
    keepHeaders: ['webhook-id', 'webhook-timestamp', 'svix-id', 'svix-timestamp'],
    async verify(ctx: VerifyContext): Promise<VerifyResult> {
      const names = ctx.headers['webhook-id'] !== undefined ? headerSets[0] : headerSets[1]
      const id = singleHeader(ctx.headers, names.id)
      const timestampText = singleHeader(ctx.headers, names.timestamp)
      const signatures = joinedHeader(ctx.headers, names.signature, ' ')
      if (id === undefined) throw new WebhookError('missing_event_id', `missing ${headerSets[0].id} header`)
      if (timestampText === undefined) throw new WebhookError('invalid_timestamp', `missing ${names.timestamp} header`)
      if (!signatures) throw new WebhookError('missing_signature', `missing ${names.signature} header`)
      const timestamp = checkTimestamp(timestampText, ctx.nowMs, tolerance ?? ctx.toleranceSeconds)

      const expected: string[] = []
      for (const key of keys) expected.push(await key.digest([id, '.', timestampText, '.', ctx.body], 'base64'))
      let inspected = 0
      for (const entry of signatures.split(' ')) {
        if (entry === '') continue
        if (++inspected > maxSignatures) break
        if (!entry.startsWith('v1,')) continue
        const candidate = entry.slice(3)
        for (const digest of expected) if (safeEqual(candidate, digest)) return { id, timestamp }
      }
      throw new WebhookError(
        'invalid_signature',
        `no v1 signature among ${Math.min(inspected, maxSignatures)} entries matched`,
      )
    },
  }
}
