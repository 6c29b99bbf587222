import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto'
import { isPresetName, type PresetName, presetNames } from './presets.js'

/** A fresh secret, and the public key to give the receiver when the scheme is asymmetric. */
export interface GeneratedSecret {
  /** What the sender signs with (and, for shared-secret schemes, what the receiver verifies with). */
  secret: string
  /** The receiver's side of an asymmetric scheme: `whpk_…`, or a PEM public key. */
  publicKey?: string
}

/** Options for {@link generateSecret}. */
export interface GenerateSecretOptions {
  /** Standard Webhooks/Svix: an Ed25519 pair (`whsk_…`/`whpk_…`) for `v1a`; `jwt`: an ES256 key pair. Default `false`. */
  asymmetric?: boolean
}

const alphanumeric = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

function randomAlphanumeric(length: number): string {
  let text = ''
  // 248 = 4 × 62: bytes at or above it are skipped so every character is equally likely.
  for (let guard = 0; text.length < length && guard < 64; guard++) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && text.length < length) text += alphanumeric[byte % 62]
    }
  }
  return text
}

/**
 * Generates a fresh secret in the format the sender hands out: `whsec_` + base64
 * of 24 random bytes (Svix, Standard Webhooks), `whsec_` + 32 alphanumerics
 * (Stripe), 40 hex digits (GitHub's suggestion), 32 hex digits (Slack),
 * `shpss_` + 32 hex digits (Shopify), `sig_` + 28 alphanumerics (QStash), a
 * base64url token (bearer, JWT HS256), or a key pair (`asymmetric`, and
 * Google Pub/Sub's RS256).
 *
 * @example
 * ```ts
 * const { secret } = generateSecret('svix') // 'whsec_…'
 * const { secret: whsk, publicKey: whpk } = generateSecret('standard-webhooks', { asymmetric: true })
 * ```
 */
export function generateSecret(preset: PresetName, options: GenerateSecretOptions = {}): GeneratedSecret {
  if (!isPresetName(preset))
    throw new TypeError(`unknown preset ${String(preset)}: use one of ${presetNames.join(', ')}`)
  switch (preset) {
    case 'clerk':
    case 'resend':
    case 'replicate':
    case 'liveblocks':
      return { secret: `whsec_${randomBytes(24).toString('base64')}` }
    case 'supabase-auth-hook':
      return { secret: `v1,whsec_${randomBytes(24).toString('base64')}` }
    case 'polar':
      return { secret: `polar_whs_${randomAlphanumeric(43)}` }
    case 'paddle':
      return { secret: `pdl_ntfset_${randomAlphanumeric(26).toLowerCase()}_${randomAlphanumeric(32)}` }
    case 'standard-webhooks':
    case 'svix': {
      if (!options.asymmetric) return { secret: `whsec_${randomBytes(24).toString('base64')}` }
      const { publicKey, privateKey } = generateKeyPairSync('ed25519')
      const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d as string, 'base64url')
      const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url')
      return {
        secret: `whsk_${Buffer.concat([seed, raw]).toString('base64')}`,
        publicKey: `whpk_${raw.toString('base64')}`,
      }
    }
    case 'stripe':
      return { secret: `whsec_${randomAlphanumeric(32)}` }
    case 'github':
      return { secret: randomBytes(20).toString('hex') }
    case 'slack':
    case 'meta':
      return { secret: randomBytes(16).toString('hex') }
    case 'zoom':
      return { secret: randomBytes(16).toString('base64url') }
    case 'discord':
      return ed25519Pair()
    case 'dropbox':
      return { secret: randomAlphanumeric(15).toLowerCase() }
    case 'shopify':
      return { secret: `shpss_${randomBytes(16).toString('hex')}` }
    case 'twilio':
      return { secret: randomBytes(16).toString('hex') }
    case 'hubspot':
      return { secret: randomUUID() }
    case 'square':
      return { secret: randomAlphanumeric(22) }
    case 'mailgun':
      return {
        secret: `${randomBytes(16).toString('hex')}-${randomBytes(4).toString('hex')}-${randomBytes(4).toString('hex')}`,
      }
    case 'qstash':
      return { secret: `sig_${randomAlphanumeric(28)}` }
    case 'google-pubsub':
      return pemPair('rsa')
    case 'sendgrid':
      return pemPair('ec')
    case 'jwt':
      return options.asymmetric ? pemPair('ec') : { secret: randomBytes(32).toString('base64url') }
    default:
      return { secret: randomBytes(32).toString('base64url') }
  }
}

/** An Ed25519 pair: the private key as PKCS#8 PEM (the secret), the public key as hex, as Discord shows it. */
function ed25519Pair(): GeneratedSecret {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url')
  return { secret: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey: raw.toString('hex') }
}

function pemPair(type: 'rsa' | 'ec'): GeneratedSecret {
  const { publicKey, privateKey } =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return {
    secret: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
    publicKey: publicKey.export({ format: 'pem', type: 'spki' }) as string,
  }
}
