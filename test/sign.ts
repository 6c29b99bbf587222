import { signV1 } from '../packages/core/test-support/sign.js'

export { signV1 }

/** A Standard Webhooks secret for tests: the raw key and its `whsec_` form. */
export interface TestSecret {
  key: Buffer
  whsec: string
}

/** A fixed, readable test secret (never a real one). */
export function testSecret(label: string): TestSecret {
  const key = Buffer.from(`hookguard conformance ${label}`.padEnd(32, '.'))
  return { key, whsec: `whsec_${key.toString('base64')}` }
}

/** What a signed delivery is made of. */
export interface Delivery {
  id: string
  /** Unix seconds. */
  timestamp: number | string
  body: string | Uint8Array
  /** `webhook` (Standard Webhooks) or `svix` (Svix-branded header names). Default `webhook`. */
  prefix?: 'webhook' | 'svix'
  contentType?: string
}

/** The headers of a signed Standard Webhooks delivery. */
export function signedHeaders(secret: TestSecret, delivery: Delivery): Record<string, string> {
  const prefix = delivery.prefix ?? 'webhook'
  return {
    'content-type': delivery.contentType ?? 'application/json',
    [`${prefix}-id`]: delivery.id,
    [`${prefix}-timestamp`]: String(delivery.timestamp),
    [`${prefix}-signature`]: signV1(secret.key, delivery.id, delivery.timestamp, delivery.body),
  }
}
