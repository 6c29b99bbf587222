import { generateKeyPairSync } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { WebhookError } from '../errors.js'
import { createGuard } from '../guard.js'
import type { HeaderBag } from '../lib/headers.js'
import { github } from '../presets/github.js'
import { googlePubSub } from '../presets/google-pubsub.js'
import { qstash } from '../presets/qstash.js'
import { shopify } from '../presets/shopify.js'
import { slack } from '../presets/slack.js'
import { stripe } from '../presets/stripe.js'
import { svix } from '../presets/svix.js'
import { bearerToken } from '../verify/bearer-token.js'
import { hmacSignature } from '../verify/hmac-signature.js'
import { jwt } from '../verify/jwt.js'
import { standardWebhooks } from '../verify/standard-webhooks.js'
import type { Verifier } from '../verify/verifier.js'
import { compileCredentialCheck } from './credential-check.js'

const whsec = `whsec_${Buffer.from('credential check secret').toString('base64')}`
const raw = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x as string
const whpk = `whpk_${Buffer.from(raw, 'base64url').toString('base64')}`

/** Every shipped verifier that declares credential headers. */
const verifiers: readonly Verifier[] = [
  standardWebhooks({ secret: whsec }),
  standardWebhooks({ publicKey: whpk }),
  svix({ secret: whsec }),
  hmacSignature({ secret: 's', header: 'X-Acme-Signature', algorithm: 'sha256', encoding: 'hex' }),
  bearerToken({ tokens: 'tok' }),
  bearerToken({ tokens: 'tok', header: 'x-webhook-secret' }),
  jwt({ secret: 'k'.repeat(32), algorithms: ['HS256'], issuer: 'acme', audience: 'hooks' }),
  jwt({ secret: 'k'.repeat(32), algorithms: ['HS256'], issuer: 'acme', audience: null, header: 'x-token' }),
  stripe({ secret: 'whsec_stripe' }),
  github({ secret: 'gh' }),
  slack({ signingSecret: 'sl' }),
  shopify({ secret: 'sh' }),
  qstash({ currentSigningKey: 'current', nextSigningKey: 'next' }),
  googlePubSub({ audience: 'https://hooks.example.com', serviceAccountEmail: 'push@example.iam.gserviceaccount.com' }),
]

/** What a request may carry and still have none of a verifier's credentials. */
const withoutCredentials: readonly HeaderBag[] = [
  {},
  { 'content-type': 'application/json' },
  { 'webhook-id': 'msg_1', 'webhook-timestamp': '1700000000' },
  { 'webhook-id': ['msg_1', 'msg_2'], 'svix-timestamp': ['1', '2'] },
  { 'x-github-delivery': 'd', 'x-slack-request-timestamp': '1', 'upstash-message-id': 'm' },
]

async function codeOf(work: () => unknown): Promise<string> {
  try {
    await work()
  } catch (error) {
    return error instanceof WebhookError ? error.code : String(error)
  }
  return 'passed'
}

describe('credential headers: the pre-check before the body is read', () => {
  test('every shipped verifier declares its credential headers', () => {
    for (const verifier of verifiers) expect(verifier.credentialHeaders?.length, verifier.name).toBeGreaterThan(0)
  })

  test('each verifier refuses a request without them with the same code as the pre-check', async () => {
    for (const verifier of verifiers) {
      const check = compileCredentialCheck([verifier])
      const missing = verifier.missingCredentialCode ?? 'missing_credentials'
      for (const headers of withoutCredentials) {
        const context = { method: 'POST', headers, body: new Uint8Array(), params: {}, tls: undefined }
        const verified = await codeOf(() =>
          verifier.verify({ ...context, nowMs: 1_700_000_000_000, toleranceSeconds: 300 }),
        )
        expect([verifier.name, headers, verified]).toEqual([verifier.name, headers, missing])
        expect([verifier.name, headers, await codeOf(() => check?.(headers))]).toEqual([
          verifier.name,
          headers,
          missing,
        ])
      }
      // An empty value is no credential either; a present one passes the pre-check, whatever it holds.
      for (const name of verifier.credentialHeaders ?? []) {
        expect(await codeOf(() => check?.({ [name]: '' }))).toBe(missing)
        expect(await codeOf(() => check?.({ [name]: 'anything' }))).toBe('passed')
        expect(await codeOf(() => check?.({ [name]: ['a', 'b'] }))).toBe('passed')
      }
    }
  })

  test('every verifier that declares them is checked, in order; the first without its headers answers', async () => {
    const check = compileCredentialCheck([bearerToken({ tokens: 'tok' }), standardWebhooks({ secret: whsec })])
    expect(await codeOf(() => check?.({ 'webhook-signature': 'v1,x' }))).toBe('missing_credentials')
    expect(await codeOf(() => check?.({ authorization: 'Bearer tok' }))).toBe('missing_signature')
    expect(await codeOf(() => check?.({ authorization: 'Bearer tok', 'svix-signature': 'v1,x' }))).toBe('passed')
  })

  test('verifiers without them get no pre-check', () => {
    expect(compileCredentialCheck([{ name: 'custom', verify: () => ({}) }])).toBeUndefined()
  })

  test('a custom verifier declaring them wrongly fails at creation, naming it', () => {
    const custom = (extra: object) => ({ name: 'custom', verify: () => ({}), ...extra }) as Verifier
    const guard = (extra: object) => () => createGuard({ verify: [custom(extra)], enqueue: () => {} })
    expect(guard({ credentialHeaders: 'authorization' })).toThrow(/custom\.credentialHeaders/)
    expect(guard({ credentialHeaders: [''] })).toThrow(/custom\.credentialHeaders/)
    expect(guard({ credentialHeaders: ['x-key'], missingCredentialCode: 'invalid_token' })).toThrow(
      /custom\.missingCredentialCode/,
    )
    expect(guard({ credentialHeaders: ['X-Key'] })).not.toThrow()
  })

  test('guard.process: a Web stream body that never ends, with no credentials, is 401 at once', async () => {
    const guard = createGuard({
      verify: [standardWebhooks({ secret: whsec })],
      enqueue: () => {},
      bodyTimeoutMs: 60_000,
    })
    let pulled = 0
    const never = new ReadableStream<Uint8Array>({
      pull() {
        pulled += 1
        return new Promise(() => {})
      },
    })
    const verdict = await guard.process({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: never,
    })
    expect([verdict.status, verdict.code, verdict.headers.connection]).toEqual([401, 'missing_signature', 'close'])
    // Only the stream's own first pull, on creation; the guard never read from it.
    expect(pulled).toBeLessThanOrEqual(1)
  })

  test('a custom verifier\u2019s header names are matched in lower case', async () => {
    const custom: Verifier = { name: 'custom', credentialHeaders: ['X-Key'], verify: () => ({}) }
    const check = compileCredentialCheck([custom])
    expect(await codeOf(() => check?.({ 'x-key': 'k' }))).toBe('passed')
    expect(await codeOf(() => check?.({}))).toBe('missing_credentials')
  })
})
