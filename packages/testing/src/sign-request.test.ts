import { createHmac, createPublicKey, generateKeyPairSync, verify as verifyEd25519 } from 'node:crypto'
import {
  bearerToken,
  createGuard,
  github,
  googlePubSub,
  jwt,
  qstash,
  shopify,
  slack,
  standardWebhooks,
  stripe,
  svix,
  type Verifier,
  type WebhookEvent,
} from '@hookguard/core'
import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods'
import { exportJWK } from 'jose'
import { Webhook as StandardWebhook } from 'standardwebhooks'
import Stripe from 'stripe'
import { Webhook as SvixWebhook } from 'svix'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type LocalServer, serveLocal } from '../test-support/server.js'
import { generateSecret } from './generate-secret.js'
import { signRequest } from './sign-request.js'
import type { SignedRequest } from './types.js'

const url = 'https://hooks.example.com/hooks'
const body = JSON.stringify({ type: 'scan.completed', data: { scanId: 's_1', score: 97 } })

/** Sends a signed request through a real guard and reports the answer and what was enqueued. */
async function through(
  verifier: Verifier,
  signed: SignedRequest,
  extra: { eventId?: { header: string } | { payload: string } } = {},
) {
  const events: WebhookEvent[] = []
  const guard = createGuard({ verify: [verifier], enqueue: (event) => void events.push(event), ...extra })
  const response = await guard.handle(new Request(signed.url ?? url, signed))
  return { status: response.status, code: ((await response.json()) as { code: string }).code, event: events[0] }
}

function headerRecord(signed: SignedRequest): Record<string, string> {
  return { ...signed.headers }
}

describe('svix and standard-webhooks (v1, HMAC)', () => {
  const { secret } = generateSecret('svix')

  test('svix: our verifier and the svix package accept it; the id and timestamp are the ones asked for', async () => {
    const timestamp = Math.floor(Date.now() / 1000) - 10
    const signed = await signRequest('svix', { secret, body, id: 'msg_fixed_1', timestamp })
    expect(signed.headers).toMatchObject({ 'svix-id': 'msg_fixed_1', 'svix-timestamp': String(timestamp) })
    expect(signed.headers['svix-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/)
    // svix 2 verifies and returns nothing (it no longer parses the body); a refusal throws.
    expect(() => new SvixWebhook(secret).verify(body, headerRecord(signed))).not.toThrow()
    // Byte for byte what the svix package signs for the same id, time and body.
    expect(signed.headers['svix-signature']).toBe(
      new SvixWebhook(secret).sign('msg_fixed_1', new Date(timestamp * 1000), body),
    )
    const result = await through(svix({ secret }), signed)
    expect(result).toMatchObject({ status: 202, code: 'accepted' })
    expect(result.event).toMatchObject({ id: 'msg_fixed_1', type: 'scan.completed', timestamp })
  })

  test('standard-webhooks: webhook-* headers, accepted by standardwebhooks and by our verifier', async () => {
    const signed = await signRequest('standard-webhooks', { secret, body: JSON.parse(body) })
    expect(signed.body).toBe(body)
    expect(signed.id).toMatch(/^msg_/)
    expect(signed.headers['webhook-id']).toBe(signed.id)
    expect(new StandardWebhook(secret).verify(body, headerRecord(signed))).toEqual(JSON.parse(body))
    expect((await through(standardWebhooks({ secret }), signed)).status).toBe(202)
  })

  test('a bare base64 secret is decoded the same way; another secret is rejected', async () => {
    const bare = secret.slice('whsec_'.length)
    const signed = await signRequest('standard-webhooks', { secret: bare, body })
    expect((await through(standardWebhooks({ secret }), signed)).status).toBe(202)
    const other = await signRequest('standard-webhooks', { secret: generateSecret('svix').secret, body })
    expect(await through(standardWebhooks({ secret }), other)).toMatchObject({ status: 401, code: 'invalid_signature' })
  })

  test('bytes are signed as bytes', async () => {
    const bytes = new Uint8Array([0x7b, 0x22, 0xe2, 0x82, 0xac, 0x22, 0x3a, 0x31, 0x7d]) // {"€":1}
    const signed = await signRequest('svix', { secret, body: bytes })
    expect(signed.body).toEqual(bytes)
    expect((await through(svix({ secret }), signed)).status).toBe(202)
  })
})

describe('standard-webhooks v1a (Ed25519)', () => {
  test('a whsk_ secret key: accepted with the matching whpk_, and checks out with node:crypto', async () => {
    const pair = generateSecret('standard-webhooks', { asymmetric: true })
    expect(pair.secret).toMatch(/^whsk_/)
    expect(pair.publicKey).toMatch(/^whpk_/)
    const signed = await signRequest('standard-webhooks', { secret: pair.secret, body, id: 'msg_v1a' })
    const entry = signed.headers['webhook-signature'] as string
    expect(entry).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/)
    const raw = Buffer.from((pair.publicKey as string).slice(5), 'base64')
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' })
    const message = Buffer.from(`msg_v1a.${signed.timestamp}.${body}`)
    expect(verifyEd25519(null, message, key, Buffer.from(entry.slice(4), 'base64'))).toBe(true)
    expect((await through(standardWebhooks({ publicKey: pair.publicKey as string }), signed)).status).toBe(202)
    const stranger = generateSecret('svix', { asymmetric: true }).publicKey as string
    expect((await through(svix({ publicKey: stranger }), signed)).code).toBe('invalid_signature')
  })

  test('a PEM private key, and a 32-byte seed written as whsk_', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519')
    const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url')
    const whpk = `whpk_${raw.toString('base64')}`
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string
    const signed = await signRequest('svix', { privateKey: pem, body })
    expect((await through(svix({ publicKey: whpk }), signed)).status).toBe(202)
    const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d as string, 'base64url')
    const fromSeed = await signRequest('svix', { secret: `whsk_${seed.toString('base64')}`, body })
    expect((await through(svix({ publicKey: whpk }), fromSeed)).status).toBe(202)
  })
})

describe('bearer', () => {
  const { secret } = generateSecret('bearer')

  test('Authorization: Bearer, or the bare token in a custom header', async () => {
    const signed = await signRequest('bearer', { secret, body, headers: { 'X-Event-Id': 'evt_b1' } })
    expect(signed.headers.authorization).toBe(`Bearer ${secret}`)
    const eventId = { header: 'x-event-id' }
    expect(await through(bearerToken({ tokens: secret }), signed, { eventId })).toMatchObject({ status: 202 })
    const custom = await signRequest('bearer', {
      secret,
      body,
      header: 'X-Webhook-Token',
      headers: { 'x-event-id': 'b2' },
    })
    expect(custom.headers['x-webhook-token']).toBe(secret)
    expect(custom.headers.authorization).toBeUndefined()
    const verifier = bearerToken({ tokens: secret, header: 'x-webhook-token' })
    expect((await through(verifier, custom, { eventId })).status).toBe(202)
    expect((await through(bearerToken({ tokens: 'another-token' }), signed, { eventId })).code).toBe('invalid_token')
  })
})

describe('jwt', () => {
  const eventId = { payload: 'data.scanId' }

  test('HS256 with iss, aud and exp; the claims reach the event', async () => {
    const { secret } = generateSecret('jwt')
    const signed = await signRequest('jwt', { secret, body, issuer: 'acme', audience: 'hooks', subject: 'tenant-1' })
    const verifier = jwt({ secret, algorithms: ['HS256'], issuer: 'acme', audience: 'hooks' })
    const result = await through(verifier, signed, { eventId })
    expect(result.status).toBe(202)
    expect(result.event?.auth[0]?.claims).toMatchObject({ iss: 'acme', aud: 'hooks', sub: 'tenant-1' })
    const claims = result.event?.auth[0]?.claims as { iat: number; exp: number }
    expect(claims.exp - claims.iat).toBe(300)
    const wrongAudience = jwt({ secret, algorithms: ['HS256'], issuer: 'acme', audience: 'elsewhere' })
    expect((await through(wrongAudience, signed, { eventId })).code).toBe('invalid_token')
  })

  test('RS256 and ES256 private keys, in a custom header; an old token is expired', async () => {
    for (const type of ['rsa', 'ec'] as const) {
      const pair =
        type === 'rsa'
          ? generateKeyPairSync('rsa', { modulusLength: 2048 })
          : generateKeyPairSync('ec', { namedCurve: 'P-256' })
      const publicKey = pair.publicKey.export({ format: 'pem', type: 'spki' }) as string
      const alg = type === 'rsa' ? 'RS256' : 'ES256'
      const options = { privateKey: pair.privateKey, body, issuer: 'acme', audience: 'hooks', header: 'x-hook-token' }
      const signed = await signRequest('jwt', options)
      const verifier = jwt({ publicKey, algorithms: [alg], issuer: 'acme', audience: 'hooks', header: 'x-hook-token' })
      expect((await through(verifier, signed, { eventId })).status).toBe(202)
      const old = await signRequest('jwt', { ...options, timestamp: Math.floor(Date.now() / 1000) - 3600 })
      expect((await through(verifier, old, { eventId })).code).toBe('token_expired')
    }
  })

  test('exactly one of secret or privateKey', async () => {
    await expect(signRequest('jwt', { body })).rejects.toThrow(/exactly one of secret/)
  })
})

describe('stripe', () => {
  const client = new Stripe('sk_test_hookguard')
  const { secret } = generateSecret('stripe')
  const event = { id: 'evt_1QhookGuard', object: 'event', type: 'invoice.paid', data: { object: {} } }

  test('constructEvent accepts it; it equals generateTestHeaderString; our preset takes id and type from the payload', async () => {
    const signed = await signRequest('stripe', { secret, body: event })
    const header = signed.headers['stripe-signature'] as string
    expect(client.webhooks.constructEvent(signed.body as string, header, secret).id).toBe('evt_1QhookGuard')
    expect(header).toBe(
      client.webhooks.generateTestHeaderString({ payload: signed.body as string, secret, timestamp: signed.timestamp }),
    )
    expect(signed.id).toBe('evt_1QhookGuard')
    const result = await through(stripe({ secret }), signed)
    expect(result.status).toBe(202)
    expect(result.event).toMatchObject({ id: 'evt_1QhookGuard', type: 'invoice.paid' })
    expect(() => client.webhooks.constructEvent(signed.body as string, header, 'whsec_other')).toThrow()
  })
})

describe('github', () => {
  const { secret } = generateSecret('github')

  test('@octokit/webhooks-methods verifies both signatures; our preset takes delivery id and event', async () => {
    const signed = await signRequest('github', { secret, body, type: 'pull_request' })
    expect(await octokitVerify(secret, body, signed.headers['x-hub-signature-256'] as string)).toBe(true)
    expect(signed.headers['x-hub-signature-256']).toBe(await octokitSign(secret, body))
    const sha1 = `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`
    expect(signed.headers['x-hub-signature']).toBe(sha1)
    const result = await through(github({ secret }), signed)
    expect(result.status).toBe(202)
    expect(result.event).toMatchObject({ id: signed.id, type: 'pull_request' })
    expect(signed.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(await octokitVerify('not the secret', body, signed.headers['x-hub-signature-256'] as string)).toBe(false)
  })

  test("GitHub's documented example", async () => {
    const signed = await signRequest('github', { secret: "It's a Secret to Everybody", body: 'Hello, World!' })
    expect(signed.headers['x-hub-signature-256']).toBe(
      'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    )
  })
})

describe('slack', () => {
  test("Slack's documented example signature", async () => {
    const docBody =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c'
    const signed = await signRequest('slack', {
      secret: '8f742231b10e8888abcd99yyyzzz85a5',
      body: docBody,
      timestamp: 1531420618,
      contentType: 'application/x-www-form-urlencoded',
    })
    expect(signed.headers['x-slack-signature']).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    )
    expect(signed.headers['content-type']).toBe('application/x-www-form-urlencoded')
  })

  test('an Events API callback and its retry headers, accepted by our preset', async () => {
    const { secret } = generateSecret('slack')
    const callback = { type: 'event_callback', event_id: 'Ev0HOOKGRD', event: { type: 'app_mention', text: 'hi' } }
    const signed = await signRequest('slack', { secret, body: callback, attempt: 2 })
    expect(signed.headers).toMatchObject({ 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_error' })
    const result = await through(slack({ signingSecret: secret }), signed)
    expect(result.status).toBe(202)
    expect(result.event).toMatchObject({ id: 'Ev0HOOKGRD', type: 'app_mention' })
    const first = await signRequest('slack', { secret, body: callback })
    expect(first.headers['x-slack-retry-num']).toBeUndefined()
  })
})

describe('shopify', () => {
  test('base64 HMAC of the body, topic and ids; accepted by our preset', async () => {
    const { secret } = generateSecret('shopify')
    const signed = await signRequest('shopify', { secret, body, type: 'orders/paid' })
    expect(signed.headers['x-shopify-hmac-sha256']).toBe(createHmac('sha256', secret).update(body).digest('base64'))
    const result = await through(shopify({ secret }), signed)
    expect(result.status).toBe(202)
    expect(result.event).toMatchObject({ id: signed.id, type: 'orders/paid' })
    expect((await through(shopify({ secret: 'shpss_other' }), signed)).code).toBe('invalid_signature')
  })
})

describe('qstash', () => {
  test('signed with the current key, sub = url; accepted by our preset, which checks the body hash', async () => {
    const current = generateSecret('qstash').secret
    const next = generateSecret('qstash').secret
    const signed = await signRequest('qstash', { secret: current, body, url, attempt: 1 })
    expect(signed.headers['upstash-retried']).toBe('1')
    const result = await through(qstash({ currentSigningKey: current, nextSigningKey: next, url }), signed)
    expect(result.status).toBe(202)
    expect(result.event?.id).toBe(signed.id)
    const rotated = await signRequest('qstash', { secret: next, body, url })
    expect((await through(qstash({ currentSigningKey: current, nextSigningKey: next, url }), rotated)).status).toBe(202)
    const elsewhere = qstash({ currentSigningKey: current, nextSigningKey: next, url: `${url}/other` })
    expect((await through(elsewhere, signed)).code).toBe('invalid_token')
    await expect(signRequest('qstash', { secret: current, body })).rejects.toThrow(/url is required/)
  })
})

describe('google-pubsub (keys served locally)', () => {
  const pair = generateSecret('google-pubsub')
  let jwks: LocalServer

  beforeAll(async () => {
    const jwk = { ...(await exportJWK(createPublicKey(pair.publicKey as string))), kid: 'k1', alg: 'RS256', use: 'sig' }
    jwks = await serveLocal(() => Response.json({ keys: [jwk] }))
  })
  afterAll(() => jwks.close())

  test('the push envelope wraps the body; the token passes the preset', async () => {
    const email = 'pusher@my-project.iam.gserviceaccount.com'
    const signed = await signRequest('google-pubsub', {
      privateKey: pair.secret,
      keyId: 'k1',
      body,
      url,
      serviceAccountEmail: email,
      attributes: { kind: 'scan' },
    })
    const envelope = JSON.parse(signed.body as string)
    expect(Buffer.from(envelope.message.data, 'base64').toString()).toBe(body)
    expect(envelope.message).toMatchObject({ messageId: signed.id, attributes: { kind: 'scan' } })
    const verifier = googlePubSub({ audience: url, serviceAccountEmail: email, jwksUrl: `${jwks.origin}/certs` })
    const result = await through(verifier, signed)
    expect(result.status).toBe(202)
    expect(result.event?.id).toBe(signed.id)
    const other = googlePubSub({ audience: url, serviceAccountEmail: 'x@y.iam', jwksUrl: `${jwks.origin}/certs` })
    expect((await through(other, signed)).code).toBe('invalid_token')
  })
})

describe('options', () => {
  test('an unknown preset lists the valid ones; a missing secret names the preset', async () => {
    // @ts-expect-error not a preset
    await expect(signRequest('paypal', { body })).rejects.toThrow(
      /unknown preset paypal: use one of standard-webhooks, svix/,
    )
    await expect(signRequest('stripe', { body })).rejects.toThrow('stripe: secret is required')
    await expect(signRequest('svix', { secret: 'whsec_not base64!', body })).rejects.toThrow(TypeError)
    await expect(
      signRequest('svix', { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', body, timestamp: 1.5 }),
    ).rejects.toThrow(/timestamp/)
  })

  test('a key of the wrong type, or an algorithm it cannot sign, is a TypeError naming the option', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
    const key = {
      ec256: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
      ec384: generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey,
      secp256k1: generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey,
      ed25519: generateKeyPairSync('ed25519'),
      ed448: generateKeyPairSync('ed448').privateKey,
      rsa1024: generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey,
      rsaPss: generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey,
    }
    const edPem = key.ed25519.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string
    const cases: [
      string,
      Parameters<typeof signRequest>[0],
      Omit<Parameters<typeof signRequest>[1], 'body'>,
      RegExp,
    ][] = [
      ['pubsub, EC key', 'google-pubsub', { privateKey: key.ec256, url }, /^google-pubsub: privateKey .*RSA/],
      ['pubsub, Ed25519 PEM', 'google-pubsub', { privateKey: edPem, url }, /^google-pubsub: privateKey .*RSA/],
      [
        'pubsub, RSA key, ES256',
        'google-pubsub',
        { privateKey: rsa, url, algorithm: 'ES256' },
        /^google-pubsub: privateKey/,
      ],
      ['jwt, EC key, RS256', 'jwt', { privateKey: key.ec256, algorithm: 'RS256' }, /^jwt: privateKey .*RSA/],
      ['jwt, P-384 key, ES256', 'jwt', { privateKey: key.ec384, algorithm: 'ES256' }, /^jwt: privateKey .*P-256/],
      ['jwt, secp256k1 key', 'jwt', { privateKey: key.secp256k1 }, /^jwt: privateKey/],
      ['jwt, Ed448 key, EdDSA', 'jwt', { privateKey: key.ed448, algorithm: 'EdDSA' }, /^jwt: privateKey .*Ed25519/],
      ['jwt, RSA-PSS key', 'jwt', { privateKey: key.rsaPss }, /^jwt: privateKey/],
      ['jwt, RSA-PSS key, PS256', 'jwt', { privateKey: key.rsaPss, algorithm: 'PS256' }, /^jwt: privateKey/],
      ['jwt, 1024-bit RSA', 'jwt', { privateKey: key.rsa1024 }, /^jwt: privateKey/],
      ['jwt, a public key', 'jwt', { privateKey: key.ed25519.publicKey }, /^jwt: privateKey .*private/],
      ['jwt, RSA key, HS256', 'jwt', { privateKey: rsa, algorithm: 'HS256' }, /^jwt: algorithm HS256 .*secret/],
      ['jwt, secret, RS256', 'jwt', { secret: 'shh', algorithm: 'RS256' }, /^jwt: algorithm RS256 .*privateKey/],
      ['jwt, alg none', 'jwt', { secret: 'shh', algorithm: 'none' }, /^jwt: algorithm/],
      ['svix, a public key', 'svix', { privateKey: key.ed25519.publicKey }, /^svix: privateKey .*private/],
    ]
    for (const [label, preset, options, message] of cases) {
      const error = await signRequest(preset, { ...options, body }).then(
        () => undefined,
        (thrown: unknown) => thrown,
      )
      expect({ label, type: (error as Error)?.constructor.name, message: (error as Error)?.message }).toEqual({
        label,
        type: 'TypeError',
        message: expect.stringMatching(message),
      })
    }
  })

  test('a secret made by generateSecret round-trips through each shared-secret preset', async () => {
    const cases: [Parameters<typeof generateSecret>[0], (secret: string) => Verifier][] = [
      ['svix', (secret) => svix({ secret })],
      ['standard-webhooks', (secret) => standardWebhooks({ secret })],
      ['stripe', (secret) => stripe({ secret })],
      ['github', (secret) => github({ secret })],
      ['slack', (secret) => slack({ signingSecret: secret })],
      ['shopify', (secret) => shopify({ secret })],
    ]
    for (const [preset, verifier] of cases) {
      const { secret } = generateSecret(preset)
      const payload = { id: 'evt_rt', event_id: 'Ev_rt', type: 'x' }
      const signed = await signRequest(preset, { secret, body: payload })
      expect({ preset, status: (await through(verifier(secret), signed)).status }).toEqual({ preset, status: 202 })
    }
    expect(generateSecret('svix').secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/)
    expect(generateSecret('stripe').secret).toMatch(/^whsec_[A-Za-z0-9]{32}$/)
    expect(generateSecret('github').secret).toMatch(/^[0-9a-f]{40}$/)
    expect(generateSecret('slack').secret).toMatch(/^[0-9a-f]{32}$/)
    expect(generateSecret('shopify').secret).toMatch(/^shpss_[0-9a-f]{32}$/)
    expect(generateSecret('qstash').secret).toMatch(/^sig_[A-Za-z0-9]{28}$/)
    expect(generateSecret('bearer').secret).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })
})
