import { settleBody, unixSeconds } from './body.js'
import { newEventId } from './ids.js'
import { isPresetName, type PresetName, presetNames } from './presets.js'
import { signBearer } from './signers/bearer.js'
import { signGitlab, signLemonSqueezy, signPaddle, signVercel, signWorkos } from './signers/body-hmac.js'
import { signDiscord } from './signers/discord.js'
import { signDropbox } from './signers/dropbox.js'
import { signGithub } from './signers/github.js'
import { signGooglePubSub } from './signers/google-pubsub.js'
import { signJwt } from './signers/jwt.js'
import { signLinear } from './signers/linear.js'
import { signMeta } from './signers/meta.js'
import { signMicrosoftGraph } from './signers/microsoft-graph.js'
import { signOkta } from './signers/okta.js'
import { signPostmark } from './signers/postmark.js'
import { signQStash } from './signers/qstash.js'
import { signSendgrid } from './signers/sendgrid.js'
import { signShopify } from './signers/shopify.js'
import { signSlack } from './signers/slack.js'
import { signSns } from './signers/sns.js'
import { signStandardWebhooks } from './signers/standard-webhooks.js'
import { signPolar, signSupabaseAuthHook } from './signers/standard-webhooks-aliases.js'
import { signStripe } from './signers/stripe.js'
import { signTwitch } from './signers/twitch.js'
import { signHubspot, signMailgun, signSquare, signTwilio } from './signers/url-signed.js'
import { signX } from './signers/x.js'
import { signZoom } from './signers/zoom.js'
import { withTenant } from './tenant.js'
import type { SignedRequest, SignerOutput, SignInput, SignOptions } from './types.js'

type Signer = (input: SignInput) => SignerOutput | Promise<SignerOutput>

const signers: Record<PresetName, Signer> = {
  'standard-webhooks': (input) => signStandardWebhooks(input, 'standard-webhooks'),
  svix: (input) => signStandardWebhooks(input, 'svix'),
  bearer: signBearer,
  jwt: signJwt,
  stripe: signStripe,
  github: signGithub,
  meta: signMeta,
  zoom: signZoom,
  dropbox: signDropbox,
  discord: signDiscord,
  slack: signSlack,
  shopify: signShopify,
  qstash: signQStash,
  'google-pubsub': signGooglePubSub,
  clerk: (input) => signStandardWebhooks(input, 'clerk', 'svix'),
  resend: (input) => signStandardWebhooks(input, 'resend', 'svix'),
  polar: signPolar,
  replicate: (input) => signStandardWebhooks(input, 'replicate', 'webhook'),
  'supabase-auth-hook': signSupabaseAuthHook,
  liveblocks: (input) => signStandardWebhooks(input, 'liveblocks', 'webhook'),
  linear: signLinear,
  'lemon-squeezy': signLemonSqueezy,
  vercel: signVercel,
  paddle: signPaddle,
  gitlab: signGitlab,
  postmark: signPostmark,
  workos: signWorkos,
  sendgrid: signSendgrid,
  twitch: signTwitch,
  'microsoft-graph': signMicrosoftGraph,
  x: signX,
  okta: signOkta,
  twilio: signTwilio,
  hubspot: signHubspot,
  square: signSquare,
  mailgun: signMailgun,
  sns: signSns,
}

/**
 * Signs a request exactly as the sender would send it: its headers (lower
 * case), the body bytes it signed, and the URL. Secrets are read as the
 * sender hands them out and as `@hookguard/core` decodes them (`whsec_` is
 * base64 for Standard Webhooks/Svix, UTF-8 for Stripe). Invalid options throw
 * a `TypeError` naming the preset and the option.
 *
 * @example
 * ```ts
 * import { signRequest } from '@hookguard/testing'
 *
 * const signed = await signRequest('svix', { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', body: { type: 'user.created' } })
 * const response = await guard.handle(new Request('http://localhost/hooks', signed))
 * expect(response.status).toBe(202)
 *
 * await signRequest('stripe', { secret: process.env.STRIPE_WEBHOOK_SECRET!, body: { id: 'evt_1', type: 'invoice.paid' } })
 * await signRequest('jwt', { secret: 'shh', issuer: 'acme', audience: 'hooks', body: '{}' })
 * ```
 */
export async function signRequest(preset: PresetName, options: SignOptions): Promise<SignedRequest> {
  if (!isPresetName(preset))
    throw new TypeError(`unknown preset ${String(preset)}: use one of ${presetNames.join(', ')}`)
  if (!options || typeof options !== 'object') throw new TypeError(`${preset}: options are required`)
  // The tenant first: a sender that signs the URL (QStash, Pub/Sub) signs it with the tenant in it.
  options = withTenant(preset, options)
  const { body, bytes } = settleBody(options.body)
  const attempt = options.attempt ?? 0
  if (!Number.isInteger(attempt) || attempt < 0) throw new TypeError(`${preset}: attempt must be a whole number >= 0`)
  if (options.id !== undefined && (typeof options.id !== 'string' || options.id.length === 0)) {
    throw new TypeError(`${preset}: id must be a non-empty string`)
  }
  const input: SignInput = {
    options,
    body,
    bytes,
    timestamp: unixSeconds(options.timestamp),
    id: options.id ?? newEventId(preset),
    attempt,
  }
  const output = await signers[preset](input)
  const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json' }
  Object.assign(headers, output.headers)
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value
  const id = output.id ?? options.id
  const url = output.url ?? options.url
  return {
    method: 'POST',
    ...(url === undefined ? {} : { url }),
    headers,
    body: output.body ?? body,
    ...(id === undefined ? {} : { id }),
    timestamp: input.timestamp,
  }
}
