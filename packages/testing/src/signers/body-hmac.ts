import { createHash } from 'node:crypto'
import { payloadString } from '../body.js'
import { hmac, requireSecret } from '../keys.js'
import type { SignerOutput, SignInput } from '../types.js'

/** Vercel: `x-vercel-signature`, the hex HMAC-SHA1 of the raw body (the id and type are in the payload). */
export function signVercel(input: SignInput): SignerOutput {
  const secret = requireSecret(input.options.secret, 'vercel')
  const id = payloadString(input.bytes, 'id')
  return {
    headers: { 'x-vercel-signature': hmac('sha1', secret, [input.bytes], 'hex') },
    ...(id === undefined ? {} : { id }),
  }
}

/**
 * Lemon Squeezy: `X-Signature`, the hex HMAC-SHA256 of the raw body, and
 * `X-Event-Name` (default `order_created`). It sends no id: the receiver's is
 * the SHA-256 of the body.
 */
export function signLemonSqueezy(input: SignInput): SignerOutput {
  const secret = requireSecret(input.options.secret, 'lemon-squeezy')
  return {
    headers: {
      'x-signature': hmac('sha256', secret, [input.bytes], 'hex'),
      'x-event-name': input.options.type ?? 'order_created',
    },
    id: createHash('sha256').update(input.bytes).digest('hex'),
  }
}

/** Paddle Billing: `Paddle-Signature: ts=<unix>;h1=<hex HMAC-SHA256 of "ts:body">` (the id is the payload's `event_id`). */
export function signPaddle(input: SignInput): SignerOutput {
  const secret = requireSecret(input.options.secret, 'paddle')
  const h1 = hmac('sha256', secret, [`${input.timestamp}:`, input.bytes], 'hex')
  const id = payloadString(input.bytes, 'event_id')
  return { headers: { 'paddle-signature': `ts=${input.timestamp};h1=${h1}` }, ...(id === undefined ? {} : { id }) }
}

/** WorkOS: `WorkOS-Signature: t=<unix ms>, v1=<hex HMAC-SHA256 of "t.body">` (the id is the payload's `id`). */
export function signWorkos(input: SignInput): SignerOutput {
  const secret = requireSecret(input.options.secret, 'workos')
  const t = input.timestamp * 1000
  const v1 = hmac('sha256', secret, [`${t}.`, input.bytes], 'hex')
  const id = payloadString(input.bytes, 'id')
  return { headers: { 'workos-signature': `t=${t}, v1=${v1}` }, ...(id === undefined ? {} : { id }) }
}

/** GitLab: the secret token in `X-Gitlab-Token`, `X-Gitlab-Event` (default `Push Hook`), the id as `Idempotency-Key`. */
export function signGitlab(input: SignInput): SignerOutput {
  const secret = requireSecret(input.options.secret, 'gitlab')
  return {
    headers: {
      'x-gitlab-token': secret,
      'x-gitlab-event': input.options.type ?? 'Push Hook',
      'idempotency-key': input.id,
      'x-gitlab-webhook-uuid': input.id,
      'user-agent': 'GitLab/hookguard',
    },
    id: input.id,
  }
}
