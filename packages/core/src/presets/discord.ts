import { ed25519PublicKey } from '#crypto'
import { WebhookError } from '../errors.js'
import { singleHeader } from '../lib/headers.js'
import { andThen } from '../lib/maybe-promise.js'
import { nonEmptyString, optionError, positiveNumber, requireOptions } from '../verify/option-checks.js'
import { checkTimestamp } from '../verify/timestamp.js'
import type { Handshake, Verifier, VerifyContext, VerifyResult } from '../verify/verifier.js'
import { jsonReply } from './handshake-parts.js'

/** Options for {@link discord}. */
export interface DiscordOptions {
  /** The application's public key, hex, as the Developer Portal shows it (General Information → Public Key). */
  publicKey: string
  /** Allowed clock difference in seconds, both directions. Default: the guard's (300). */
  toleranceSeconds?: number
}

const hexKey = /^[0-9a-fA-F]{64}$/
const hexSignature = /^[0-9a-fA-F]{128}$/

/**
 * Verifies Discord interactions: `X-Signature-Ed25519`, the hex Ed25519
 * signature of `X-Signature-Timestamp` followed by the raw body, with the
 * application's public key. The event id is the interaction's `id`.
 *
 * It answers Discord's PING (`{"type":1}`, sent when the endpoint URL is saved
 * and now and then) with 200 JSON `{"type":1}`, never enqueued; the PING is
 * signed, so a bad or missing signature is 401, as Discord's own checks expect.
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [discord({ publicKey: process.env.DISCORD_PUBLIC_KEY! })],
 *   enqueue: async (event) => queue.add('discord', event),
 * })
 * ```
 */
export function discord(options: DiscordOptions): Verifier {
  requireOptions(options, 'discord')
  const publicKey = nonEmptyString(options.publicKey, 'discord', 'publicKey')
  if (!hexKey.test(publicKey)) throw optionError('discord', 'publicKey', '64 hex characters (the Public Key)')
  const key = ed25519PublicKey(hexBytes(publicKey))
  const tolerance =
    options.toleranceSeconds === undefined
      ? undefined
      : positiveNumber(options.toleranceSeconds, 'discord', 'toleranceSeconds')
  return {
    name: 'discord',
    credentialHeaders: ['x-signature-ed25519'],
    missingCredentialCode: 'missing_signature',
    keepHeaders: ['x-signature-timestamp'],
    signs: { body: true, headers: ['x-signature-timestamp'] },
    eventId: { payload: 'id' },
    handshakes: [ping],
    verify(ctx: VerifyContext) {
      const signature = singleHeader(ctx.headers, 'x-signature-ed25519')
      if (!signature) throw new WebhookError('missing_signature', 'no x-signature-ed25519 header')
      const sent = singleHeader(ctx.headers, 'x-signature-timestamp')
      if (!sent) throw new WebhookError('invalid_timestamp', 'no x-signature-timestamp header')
      if (!hexSignature.test(signature)) throw new WebhookError('invalid_signature', 'not 128 hex characters')
      const timestamp = checkTimestamp(sent, ctx.nowMs, tolerance ?? ctx.toleranceSeconds)
      return andThen(key.verify([sent, ctx.body], hexBytes(signature)), (valid): VerifyResult => {
        if (!valid) throw new WebhookError('invalid_signature', 'the Ed25519 signature does not match')
        return { timestamp }
      })
    },
  }
}

const decoder = new TextDecoder()

/** Discord's PING: answered once its signature passed. */
const ping: Handshake = {
  signed: true,
  mayBe: () => true,
  answer(ctx: VerifyContext) {
    const text = decoder.decode(ctx.body)
    if (text.length > 4096 || !/"type"\s*:\s*1\b/.test(text)) return undefined
    let payload: unknown
    try {
      payload = JSON.parse(text)
    } catch {
      return undefined
    }
    const isPing = typeof payload === 'object' && payload !== null && (payload as { type?: unknown }).type === 1
    return isPing ? jsonReply({ type: 1 }) : undefined
  },
}

function hexBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2)
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return bytes
}
