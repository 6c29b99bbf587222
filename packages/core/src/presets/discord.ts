import { base64Decode, ed25519PublicKey } from '#crypto'
import { WebhookError } from '../errors.js'
import { singleHeader } from '../lib/headers.js'
import { andThen, type MaybePromise } from '../lib/maybe-promise.js'
import type { Ed25519PublicKey } from '../verify/crypto/port.js'
import { decoyPublicKeys } from '../verify/decoy-keys.js'
import type { Keys } from '../verify/key-resolver.js'
import { compileKeys } from '../verify/keyring.js'
import { nonEmptyString, optionError, positiveNumber, requireOptions } from '../verify/option-checks.js'
import { checkTimestamp } from '../verify/timestamp.js'
import type { Handshake, Verifier, VerifyContext, VerifyResult } from '../verify/verifier.js'
import { jsonReply } from './handshake-parts.js'

/** Options for {@link discord}. */
export interface DiscordOptions {
  /**
   * The application's public key, hex, as the Developer Portal shows it
   * (General Information → Public Key). Or several (at most 4; each may carry
   * its window, `{ key, notBefore, notAfter }`), or a resolver (`keyResolver`,
   * or a plain function) that looks the tenant's application key up: a
   * platform that receives the interactions of its customers' applications.
   */
  publicKey: Keys<string>
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
 * signed, so a bad or missing signature is 401, as Discord's own checks expect;
 * with a resolver, it is checked with the tenant's key like any interaction.
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
  const keys = compileKeys(options.publicKey, {
    where: 'discord',
    option: 'publicKey',
    compile: (publicKey, label) => {
      if (!hexKey.test(nonEmptyString(publicKey, 'discord', label))) {
        throw optionError('discord', label, '64 hex characters (the Public Key)')
      }
      return ed25519PublicKey(hexBytes(publicKey))
    },
    decoy: () => ed25519PublicKey(decoyRawKey()),
    refusal: 'invalid_signature',
    maxKeys: 4,
  })
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
      const signed = [sent, ctx.body]
      const bytes = hexBytes(signature)
      return keys.use(ctx, (candidates) =>
        andThen(anyVerifies(candidates, 0, signed, bytes), (valid): VerifyResult => {
          if (!valid) throw new WebhookError('invalid_signature', 'the Ed25519 signature does not match')
          return { timestamp }
        }),
      )
    },
    invalidate: (tenant) => keys.invalidate(tenant),
  }
}

/** Whether one of `keys` (from `i` on, in turn) verifies the signature. */
function anyVerifies(
  keys: readonly Ed25519PublicKey[],
  i: number,
  signed: readonly (string | Uint8Array)[],
  signature: Uint8Array,
): MaybePromise<boolean> {
  const key = keys[i]
  if (key === undefined) return false
  return andThen(key.verify(signed, signature), (valid) => valid || anyVerifies(keys, i + 1, signed, signature))
}

/** The raw 32 bytes of the decoy Ed25519 key: the end of its DER SubjectPublicKeyInfo. */
function decoyRawKey(): Uint8Array {
  const der = base64Decode(decoyPublicKeys.ed25519.replace(/-----[A-Z ]+-----|\s/g, ''))
  return der.subarray(der.length - 32)
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
