import type { KeyObject } from 'node:crypto'
import type { JWK } from 'jose'

/** A request body: bytes, text, or a JSON value (serialized with `JSON.stringify`). */
export type Body = string | Uint8Array | Record<string, unknown> | readonly unknown[]

/** A private key: PEM (PKCS#8), a `KeyObject`, or a private JWK. */
export type PrivateKeyInput = string | KeyObject | JWK

/**
 * What {@link signRequest} needs. `secret` and `body` are what every preset
 * uses; the rest apply to the presets named beside them.
 */
export interface SignOptions {
  /**
   * The shared secret, written as the sender hands it out: `whsec_…` for
   * Standard Webhooks/Svix (or `whsk_…`, an Ed25519 secret key, to sign `v1a`),
   * the signing secret for Stripe/GitHub/Slack/Shopify, the current signing
   * key for QStash, the token for `bearer`, the HMAC secret for `jwt`.
   */
  secret?: string
  /** A private key, for `jwt` (RS/PS/ES/EdDSA), `google-pubsub` (RS256), `sendgrid` (EC P-256), `sns` (RSA), and `v1a` Standard Webhooks signatures. */
  privateKey?: PrivateKeyInput
  /** The raw body: sent exactly as given (a JSON value is serialized once). */
  body: Body
  /** The event or message id. Default: a fresh one in the sender's format (Stripe and Slack take it from the payload). */
  id?: string
  /** When it was signed, in Unix seconds or as a `Date`. Default: now. */
  timestamp?: number | Date
  /** The endpoint; QStash and Google Pub/Sub sign it (`sub`, default `aud`); Twilio, HubSpot and Square sign it unless `signedUrl` is given. */
  url?: string
  /**
   * The URL the sender signs when it is not `url`: Twilio's and HubSpot's
   * request URL as the sender saw it (the receiver's `publicUrl` with the
   * path and query), Square's notification URL. Default `url`.
   */
  signedUrl?: string
  /** The event type where the sender puts it in a header: `X-GitHub-Event`, `X-Shopify-Topic`, `Twitch-Eventsub-Subscription-Type`; `microsoft-graph`: the `changeType` of a payload it wraps. */
  type?: string
  /** Which delivery attempt this is, from 0: Slack's `X-Slack-Retry-Num`, QStash's `Upstash-Retried`. Default 0. */
  attempt?: number
  /** `bearer` and `jwt`: the header carrying the token. Default `authorization` (`Bearer <token>`). `okta`: the header carrying the secret as it is. */
  header?: string
  /** `postmark`: the HTTP Basic user name (the secret is the password). Default `postmark`. */
  username?: string
  /**
   * `jwt`: the algorithm. Default `HS256` with a secret; with a private key, the key's usual one
   * (`RS256`, `ES256`/`ES384`/`ES512` by curve, `EdDSA`). A key that cannot sign it is a `TypeError`.
   */
  algorithm?: string
  /** `jwt`: the `iss` claim. */
  issuer?: string
  /** `jwt`: the `aud` claim; `google-pubsub`: default `url`. */
  audience?: string
  /** `jwt`: the `sub` claim. */
  subject?: string
  /** `jwt`: seconds until `exp`. Default 300 (`google-pubsub` 3 600). */
  expiresInSeconds?: number
  /** `jwt`: more claims. */
  claims?: Record<string, unknown>
  /** `jwt`, `google-pubsub`: the `kid` header. */
  keyId?: string
  /** `google-pubsub`: the service account the push subscription authenticates as (the `email` claim). */
  serviceAccountEmail?: string
  /** `google-pubsub`: the subscription's full name. Default `projects/test-project/subscriptions/test-push`. */
  subscription?: string
  /** `google-pubsub`: the message's attributes. */
  attributes?: Record<string, string>
  /** `Content-Type`. Default `application/json` (Slack's slash commands send form data: set it here). */
  contentType?: string
  /** Extra headers, added last. */
  headers?: Record<string, string>
  /**
   * Signs for this tenant of a multi-tenant endpoint, put where the guard's
   * `tenant` source reads it (`tenantIn`).
   */
  tenant?: string
  /**
   * Where the tenant goes: `'path'` (default: the last path segment of `url`,
   * for `tenant: { param }`), `{ header }`, or `{ claim }` (a JWT claim, `jwt`).
   */
  tenantIn?: 'path' | { header: string } | { claim: string }
  /** `sns`: the envelope around the message (`body` is the published message's text). */
  sns?: SnsSignOptions
}

/** `sns`: what the SNS envelope says. */
export interface SnsSignOptions {
  /** Default `Notification`. */
  type?: 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation'
  /** Default `arn:aws:sns:us-east-1:123456789012:hookguard-test`. */
  topicArn?: string
  /** `SigningCertURL`. Default an SNS-looking URL (serve it with `snsSigningKey().fetch`). */
  certificateUrl?: string
  /** `1` (RSA-SHA1, SNS's default) or `2` (RSA-SHA256). Default `1`. */
  signatureVersion?: '1' | '2'
  /** A notification's `Subject`. Default none. */
  subject?: string
  /** A confirmation's `SubscribeURL`. Default an SNS-looking one with the token. */
  subscribeUrl?: string
  /** A confirmation's `Token`. */
  token?: string
}

/** A request as the sender would send it: pass it to `fetch(url, signed)` or `new Request(url, signed)`. */
export interface SignedRequest {
  method: 'POST'
  /** The endpoint, when one was given. */
  url?: string
  /** Lower-case names, as the sender sets them. */
  headers: Record<string, string>
  /** Exactly the bytes that were signed. */
  body: string | Uint8Array<ArrayBuffer>
  /** The event id the receiver will see (a header's or the payload's), when there is one. */
  id?: string
  /** When it was signed, in Unix seconds. */
  timestamp: number
}

/** What a preset signer gets: the options with the body and clock settled. */
export interface SignInput {
  options: SignOptions
  /** The body to send. */
  body: string | Uint8Array<ArrayBuffer>
  /** The body's bytes. */
  bytes: Uint8Array
  /** Unix seconds. */
  timestamp: number
  /** The event id, generated when not given. */
  id: string
  attempt: number
}

/** What a preset signer returns: the headers it sets, and the body when it wraps the payload (Pub/Sub). */
export interface SignerOutput {
  headers: Record<string, string>
  body?: string
  /** The endpoint, when the signer changed it (Twilio's JSON requests add `bodySHA256` to the query). */
  url?: string
  id?: string
}
