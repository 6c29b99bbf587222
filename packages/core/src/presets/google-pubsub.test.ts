import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createGuard } from '../guard.js'
import type { WebhookEvent } from '../types.js'
import { googlePubSub } from './google-pubsub.js'

const audience = 'https://hooks.example.com/pubsub'
const serviceAccountEmail = 'pusher@my-project.iam.gserviceaccount.com'
const body = JSON.stringify({
  message: {
    attributes: { kind: 'build' },
    data: Buffer.from('{"status":"SUCCESS"}').toString('base64'),
    messageId: '2070443601311540',
    message_id: '2070443601311540',
    publishTime: '2026-11-26T10:00:00.000Z',
  },
  subscription: 'projects/my-project/subscriptions/push-sub',
})

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>
let google: KeyPair
let other: KeyPair
let server: Server
let jwksUrl: string
let jwksRequests = 0
let jwksDown = false

/** A token shaped like Google's Pub/Sub push OIDC token. */
async function token(claims: JWTPayload = {}, key: KeyPair = google, kid = 'google-1') {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({
    iss: 'https://accounts.google.com',
    aud: audience,
    azp: '113774264463038321964',
    sub: '113774264463038321964',
    email: serviceAccountEmail,
    email_verified: true,
    iat: now,
    exp: now + 3600,
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
    .sign(key.privateKey)
}

beforeAll(async () => {
  ;[google, other] = await Promise.all([generateKeyPair('RS256'), generateKeyPair('RS256')])
  const keys: JWK[] = [{ ...(await exportJWK(google.publicKey)), kid: 'google-1', alg: 'RS256', use: 'sig' }]
  server = createServer((_req, res) => {
    jwksRequests++
    if (jwksDown) res.writeHead(503).end()
    else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2/v3/certs`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

async function send(authorization: string | undefined, payload = body) {
  const events: WebhookEvent[] = []
  const guard = createGuard({
    verify: [googlePubSub({ audience, serviceAccountEmail, jwksUrl })],
    enqueue: (event) => void events.push(event),
  })
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (authorization !== undefined) headers.authorization = authorization
  const response = await guard.handle(new Request(audience, { method: 'POST', body: payload, headers }))
  return { status: response.status, code: ((await response.json()) as { code: string }).code, events, response }
}

describe('googlePubSub preset (Google key set served locally)', () => {
  test('accepted: id from message.messageId, claims on the event; both issuer spellings', async () => {
    const { status, events } = await send(`Bearer ${await token()}`)
    expect(status).toBe(202)
    expect(events[0]?.id).toBe('2070443601311540')
    expect(events[0]?.auth[0]).toMatchObject({
      verifier: 'google-pubsub',
      claims: { email: serviceAccountEmail, email_verified: true, aud: audience },
    })
    expect((await send(`Bearer ${await token({ iss: 'accounts.google.com' })}`)).status).toBe(202)
  })

  test('wrong service account, unverified email, other audience or issuer', async () => {
    const cases: JWTPayload[] = [
      { email: 'intruder@other-project.iam.gserviceaccount.com' },
      { email_verified: false },
      { aud: 'https://elsewhere.example.com' },
      { iss: 'https://evil.example.com' },
    ]
    for (const claims of cases) {
      expect(await send(`Bearer ${await token(claims)}`)).toMatchObject({ status: 401, code: 'invalid_token' })
    }
  })

  test('tampered token, wrong key, expired, missing', async () => {
    const good = await token()
    const [h, p, s] = good.split('.') as [string, string, string]
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString())
    const forged = Buffer.from(JSON.stringify({ ...claims, email: 'me@evil.example' })).toString('base64url')
    expect((await send(`Bearer ${h}.${forged}.${s}`)).code).toBe('invalid_token')
    expect((await send(`Bearer ${await token({}, other)}`)).code).toBe('invalid_token')
    const now = Math.floor(Date.now() / 1000)
    expect((await send(`Bearer ${await token({ exp: now - 3600 })}`)).code).toBe('token_expired')
    expect((await send(undefined)).code).toBe('missing_credentials')
  })

  test("Google's keys unreachable is 503 keys_unavailable (Pub/Sub redelivers)", async () => {
    jwksDown = true
    try {
      const before = jwksRequests
      const down = await send(`Bearer ${await token()}`)
      expect(down).toMatchObject({ status: 503, code: 'keys_unavailable' })
      expect(down.response.headers.get('retry-after')).not.toBeNull()
      expect(jwksRequests).toBe(before + 1)
    } finally {
      jwksDown = false
    }
  })

  test('options', () => {
    expect(() => googlePubSub({ audience, serviceAccountEmail: 'nobody' })).toThrow(/serviceAccountEmail/)
    // @ts-expect-error audience is required
    expect(() => googlePubSub({ serviceAccountEmail })).toThrow(/audience/)
    expect(googlePubSub({ audience, serviceAccountEmail }).name).toBe('google-pubsub')
  })
})
