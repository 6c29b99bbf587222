export { safeEqual, safeEqualBytes } from './constant-time.js'
export { type ErrorCode, errorStatus, errorTitle, QueueFullError, WebhookError } from './errors.js'
export { eventBody, eventText } from './event.js'
export type { EventField, EventFieldContext } from './event-field.js'
export { createGuard, type Guard, type GuardCounters } from './guard.js'
export { type HeaderBag, headersFromWeb, joinedHeader, singleHeader } from './headers.js'
export { compileIpRules, type IpAddress, type IpMatcher, parseIp } from './ip.js'
export { fromNodeRequest, type NodeIncomingLike, type NodeRequestExtras } from './node-request.js'
export { type NodeResponseLike, type NodeResponseState, unwritableReason, writeVerdict } from './node-response.js'
export type { GuardHooks, RequestOutcome } from './observer.js'
export type { GuardOptions } from './options.js'
export { type GithubOptions, github } from './presets/github.js'
export { type GooglePubSubOptions, googleJwksUrl, googlePubSub } from './presets/google-pubsub.js'
export { type QStashOptions, qstash } from './presets/qstash.js'
export { type ShopifyOptions, shopify } from './presets/shopify.js'
export { type SlackOptions, slack } from './presets/slack.js'
export { type StripeOptions, stripe } from './presets/stripe.js'
export { svix } from './presets/svix.js'
export { type MemoryStoreOptions, memoryStore } from './stores/memory-store.js'
export type { ClaimResult, DedupeStore } from './stores/store.js'
export { checkTimestamp } from './timestamp.js'
export type {
  AuthInfo,
  BodySource,
  Logger,
  NodeReadableLike,
  TlsPeer,
  Verdict,
  WebhookEvent,
  WebhookRequest,
} from './types.js'
export type { Unwritten, UnwrittenReason } from './unwritten.js'
export type { Verifier, VerifyContext, VerifyResult } from './verifier.js'
export { type BearerTokenOptions, bearerToken } from './verifiers/bearer-token.js'
export { type ClientCertificateOptions, clientCertificate } from './verifiers/client-certificate.js'
export { type HmacSecret, type HmacSignatureOptions, hmacSignature } from './verifiers/hmac-signature.js'
export { type JwtClaimValue, type JwtOptions, jwt } from './verifiers/jwt.js'
export { type StandardWebhooksOptions, standardWebhooks } from './verifiers/standard-webhooks.js'
export { fromWebRequest, toResponse, type WebRequestInfo } from './web.js'
