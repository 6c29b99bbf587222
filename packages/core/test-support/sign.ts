// The one signing helper of the tests, written independently of the code under test (plain `node:crypto`).
// Tests whose own signing is the point (against a sender's SDK or its published vectors) sign for themselves.
import { createHmac, randomBytes } from 'node:crypto'

/** A Standard Webhooks secret: the raw key and its `whsec_` form. */
export interface TestSecret {
  key: Buffer
  whsec: string
}

/** A fresh random Standard Webhooks secret. */
export function makeSecret(): TestSecret {
  return secretOf(randomBytes(24))
}

/** A fixed, readable Standard Webhooks secret (never a real one), the same on every run. */
export function testSecret(label: string): TestSecret {
  return secretOf(Buffer.from(`hookguard conformance ${label}`.padEnd(32, '.')))
}

function secretOf(key: Buffer): TestSecret {
  return { key, whsec: `whsec_${key.toString('base64')}` }
}

/** Standard Webhooks `v1` signature of `id.timestamp.body`. */
export function signV1(key: Buffer, id: string, timestamp: number | string, body: string | Uint8Array): string {
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64')}`
}

/** What a signed Standard Webhooks delivery is made of. */
export interface Delivery {
  /** Default: a fresh `msg_…` id. */
  id?: string
  /** Unix seconds, or the header's exact text. Default: now. */
  timestamp?: number | string
  body: string | Uint8Array
  /** `webhook` (Standard Webhooks) or `svix` (Svix-branded header names). Default `webhook`. */
  prefix?: 'webhook' | 'svix'
  /** Default `application/json`. */
  contentType?: string
}

/** The headers of a signed Standard Webhooks delivery. */
export function signedHeaders(key: Buffer, delivery: Delivery): Record<string, string> {
  const id = delivery.id ?? `msg_${randomBytes(8).toString('hex')}`
  const timestamp = delivery.timestamp ?? Math.floor(Date.now() / 1000)
  const prefix = delivery.prefix ?? 'webhook'
  return {
    'content-type': delivery.contentType ?? 'application/json',
    [`${prefix}-id`]: id,
    [`${prefix}-timestamp`]: String(timestamp),
    [`${prefix}-signature`]: signV1(key, id, timestamp, delivery.body),
  }
}

/** GitHub's `X-Hub-Signature-256`: `sha256=` and the hex HMAC-SHA256 of the body. */
export function githubSignature(secret: string, body: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
}

/** Shopify's `X-Shopify-Hmac-Sha256`: the base64 HMAC-SHA256 of the body. */
export function shopifySignature(secret: string, body: string | Uint8Array): string {
  return createHmac('sha256', secret).update(body).digest('base64')
}

/** Square: base64 HMAC-SHA256 of the notification URL followed by the raw body, as Square's documentation says. */
export function squareSignature(signatureKey: string, notificationUrl: string, body: string): string {
  return createHmac('sha256', signatureKey)
    .update(notificationUrl + body)
    .digest('base64')
}

/** Mailgun: hex HMAC-SHA256 of the timestamp followed by the token, keyed with the webhook signing key (Mailgun's documentation). */
export function mailgunSignature(signingKey: string, timestamp: string, token: string): string {
  return createHmac('sha256', signingKey)
    .update(timestamp + token)
    .digest('hex')
}
