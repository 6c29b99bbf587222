import { createHmac, randomBytes } from 'node:crypto'

/** A fresh Standard Webhooks secret: the raw key and its `whsec_` form. */
export function makeSecret(): { key: Buffer; whsec: string } {
  const key = randomBytes(24)
  return { key, whsec: `whsec_${key.toString('base64')}` }
}

/** Standard Webhooks `v1` signature of `id.timestamp.body`, written independently of the code under test. */
export function signV1(key: Buffer, id: string, timestamp: number | string, body: string | Uint8Array): string {
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64')}`
}

/** Headers of a signed Standard Webhooks delivery. */
export function signedHeaders(
  key: Buffer,
  options: { id?: string; timestamp?: number; body: string | Uint8Array; prefix?: 'webhook' | 'svix' },
): Record<string, string> {
  const id = options.id ?? `msg_${randomBytes(8).toString('hex')}`
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000)
  const prefix = options.prefix ?? 'webhook'
  return {
    'content-type': 'application/json',
    [`${prefix}-id`]: id,
    [`${prefix}-timestamp`]: String(timestamp),
    [`${prefix}-signature`]: signV1(key, id, timestamp, options.body),
  }
}
