// What an application imports. The adapter kit is '@hookguard/core/adapter'.
export type { AllowIpsEntry, CompiledIpRules, IpRuleSource } from './admit/ip-source.js'
export {
  type ProviderIps,
  type ProviderIpsOptions,
  type ProviderIpsRefresh,
  type ProviderName,
  providerIps,
  type RefreshResult,
} from './admit/provider-ips.js'
export type { TenantSource } from './admit/tenant.js'
export { dedupeKey } from './dedupe/dedupe-key.js'
export { type MemoryStoreOptions, memoryStore } from './dedupe/memory-store.js'
export type { ClaimResult, DedupeStore } from './dedupe/store.js'
export { type ErrorCode, errorStatus, errorTitle, QueueFullError, type VerdictCode, WebhookError } from './errors.js'
export { eventBody, eventText } from './event/event.js'
export type { EventField, EventFieldContext } from './event/event-field.js'
export type { StandardSchemaV1 } from './event/standard-schema.js'
export { createGuard, type Guard, type GuardCounters } from './guard.js'
export { type HeaderBag, joinedHeader, singleHeader } from './lib/headers.js'
export type { GuardHooks, RequestOutcome } from './observe/observer.js'
export type { EventSchemas, GuardOptions } from './options.js'
export type { WebRequestInfo } from './ports/web.js'
export { clerk } from './presets/clerk.js'
export { type DiscordOptions, discord } from './presets/discord.js'
export { type DropboxOptions, dropbox } from './presets/dropbox.js'
export { type GithubOptions, github } from './presets/github.js'
export { type GitlabOptions, gitlab } from './presets/gitlab.js'
export { type GooglePubSubOptions, googleJwksUrl, googlePubSub } from './presets/google-pubsub.js'
export { type HubspotOptions, hubspot } from './presets/hubspot.js'
export { type LemonSqueezyOptions, lemonSqueezy } from './presets/lemon-squeezy.js'
export { type LinearOptions, linear } from './presets/linear.js'
export { liveblocks } from './presets/liveblocks.js'
export { type MailgunOptions, mailgun } from './presets/mailgun.js'
export { type MetaOptions, meta } from './presets/meta.js'
export { type MicrosoftGraphOptions, microsoftGraph } from './presets/microsoft-graph.js'
export { type OktaOptions, okta } from './presets/okta.js'
export { type PaddleOptions, paddle } from './presets/paddle.js'
export { type PolarOptions, polar } from './presets/polar.js'
export { type PostmarkOptions, postmark } from './presets/postmark.js'
export { type QStashOptions, qstash } from './presets/qstash.js'
export { replicate } from './presets/replicate.js'
export { resend } from './presets/resend.js'
export { type SendgridOptions, sendgrid } from './presets/sendgrid.js'
export { type ShopifyOptions, shopify } from './presets/shopify.js'
export { type SlackOptions, slack } from './presets/slack.js'
export { type SnsOptions, sns, snsHosts } from './presets/sns.js'
export { type SquareOptions, square } from './presets/square.js'
export { type StripeOptions, stripe } from './presets/stripe.js'
export { type SupabaseAuthHookOptions, supabaseAuthHook } from './presets/supabase.js'
export { svix } from './presets/svix.js'
export { type TwilioOptions, twilio } from './presets/twilio.js'
export { type TwitchOptions, twitch } from './presets/twitch.js'
export { type VercelOptions, vercel } from './presets/vercel.js'
export { type WorkosOptions, workos } from './presets/workos.js'
export { type XOptions, x } from './presets/x.js'
export { type ZoomOptions, zoom } from './presets/zoom.js'
export type { ShapedReply } from './respond/shaped-reply.js'
export type { AuthInfo, EventOf, Logger, TlsPeer, Verdict, WebhookEvent, WebhookRequest } from './types.js'
export {
  type AsymmetricSignatureOptions,
  asymmetricSignature,
  type SignedMessage,
} from './verify/asymmetric-signature.js'
export { type BasicAuthOptions, type BasicCredential, basicAuth } from './verify/basic-auth.js'
export { type BearerTokenOptions, bearerToken } from './verify/bearer-token.js'
export type {
  CertificateFetch,
  CertificateResponse,
  CertificateUrlOptions,
} from './verify/certificate-keys.js'
export { type ClientCertificateOptions, clientCertificate } from './verify/client-certificate.js'
export { safeEqual, safeEqualBytes } from './verify/constant-time.js'
export type { EcdsaSignatureFormat, PublicKeyInput, SignatureAlgorithm } from './verify/crypto/port.js'
export { type HmacSecret, type HmacSignatureOptions, hmacSignature } from './verify/hmac-signature.js'
export { type JwtClaimValue, type JwtOptions, jwt } from './verify/jwt.js'
export {
  type DatedKey,
  type KeyContext,
  type KeyEntry,
  type KeyLookup,
  type KeyResolver,
  type KeyResolverOptions,
  type Keys,
  keyResolver,
} from './verify/key-resolver.js'
export { type StandardWebhooksOptions, standardWebhooks } from './verify/standard-webhooks.js'
export { checkTimestamp } from './verify/timestamp.js'
export type { Handshake, HandshakeReply, Verifier, VerifyContext, VerifyResult } from './verify/verifier.js'
