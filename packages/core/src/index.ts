export { compileIpRules, type IpAddress, type IpMatcher, parseIp } from './admit/ip.js'
export { type MemoryStoreOptions, memoryStore } from './dedupe/memory-store.js'
export type { ClaimResult, DedupeStore } from './dedupe/store.js'
export { type ErrorCode, errorStatus, errorTitle, QueueFullError, WebhookError } from './errors.js'
export { eventBody, eventText } from './event/event.js'
export type { EventField, EventFieldContext } from './event/event-field.js'
export { createGuard, type Guard, type GuardCounters } from './guard.js'
export { type HeaderBag, headersFromWeb, joinedHeader, singleHeader } from './lib/headers.js'
export type { GuardHooks, RequestOutcome } from './observe/observer.js'
export type { Unwritten, UnwrittenReason } from './observe/unwritten.js'
export type { GuardOptions } from './options.js'
export { fromNodeRequest, type NodeIncomingLike, type NodeRequestExtras } from './ports/node.js'
export { type NodeResponseLike, type NodeResponseState, unwritableReason, writeVerdict } from './ports/node-response.js'
export { fromWebRequest, toResponse, type WebRequestInfo } from './ports/web.js'
export { type GithubOptions, github } from './presets/github.js'
export { type GooglePubSubOptions, googleJwksUrl, googlePubSub } from './presets/google-pubsub.js'
export { type QStashOptions, qstash } from './presets/qstash.js'
export { type ShopifyOptions, shopify } from './presets/shopify.js'
export { type SlackOptions, slack } from './presets/slack.js'
export { type StripeOptions, stripe } from './presets/stripe.js'
export { svix } from './presets/svix.js'
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
export { type BearerTokenOptions, bearerToken } from './verify/bearer-token.js'
export { type ClientCertificateOptions, clientCertificate } from './verify/client-certificate.js'
export { safeEqual, safeEqualBytes } from './verify/constant-time.js'
export { type HmacSecret, type HmacSignatureOptions, hmacSignature } from './verify/hmac-signature.js'
export { type JwtClaimValue, type JwtOptions, jwt } from './verify/jwt.js'
export { type StandardWebhooksOptions, standardWebhooks } from './verify/standard-webhooks.js'
export { checkTimestamp } from './verify/timestamp.js'
export type { Verifier, VerifyContext, VerifyResult } from './verify/verifier.js'
