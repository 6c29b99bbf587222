import { createHmac, generateKeyPairSync, sign } from 'node:crypto'
import {
  bearerToken,
  type DedupeStore,
  discord,
  dropbox,
  type Logger,
  memoryStore,
  meta,
  microsoftGraph,
  okta,
  slack,
  twitch,
  x,
  zoom,
} from '@hookguard/core'
import { expect } from 'vitest'
import type { StartedTarget } from '../harness.js'
import { type Reply, send } from '../http-client.js'
import { snsFetch, snsHeaders, snsMessage, snsVerifier } from './sns-fixture.js'
import type { ConformanceCase } from './support.js'

/** The guard's injected clock (as in cases.ts): a fixed second. */
const nowSeconds = 1_700_000_000
const clock = () => nowSeconds * 1000 + 500

/** A dedupe store that records every claim, so a case can see that a handshake claimed nothing. */
function claimRecordingStore(): { store: DedupeStore; claims: string[] } {
  const inner = memoryStore()
  const claims: string[] = []
  const store: DedupeStore = {
    claim: (key, leaseMs) => {
      claims.push(key)
      return inner.claim(key, leaseMs)
    },
    complete: (key, token, ttlMs) => inner.complete(key, token, ttlMs),
    release: (key, token) => inner.release(key, token),
  }
  return { store, claims }
}

/** A logger that keeps the info records. */
function infoLogger(): { records: Record<string, unknown>[]; logger: Logger } {
  const records: Record<string, unknown>[] = []
  const keep = (record: object) => void records.push(record as Record<string, unknown>)
  return { records, logger: { info: keep, warn: keep, error: keep } }
}

/** A 200 handshake answer: exact content type and body, nothing enqueued, nothing claimed. */
function expectHandshake(server: StartedTarget, claims: string[], reply: Reply, contentType: string, body: string) {
  expect({ status: reply.status, contentType: reply.headers['content-type'], body: reply.text }).toEqual({
    status: 200,
    contentType,
    body,
  })
  expect(server.enqueued).toEqual([])
  expect(claims).toEqual([])
}

/** A refusal with its stable code, which says nothing of what was sent. */
function expectRefused(server: StartedTarget, reply: Reply, status: number, code: string, sent: string) {
  expect({ status: reply.status, code: reply.json?.code }).toEqual({ status, code })
  expect(reply.headers['content-type']).toBe('application/problem+json')
  expect(reply.text).not.toContain(sent)
  expect(server.enqueued).toEqual([])
}

// Slack: "url_verification event" (api.slack.com/events/url_verification), its example verbatim.
const slackSecret = 'hookguard conformance slack signing secret'
const slackChallenge = '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P'
const slackUrlVerification = `{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"${slackChallenge}","type":"url_verification"}`
// Slack: "Slash commands → SSL certificate check": a form POST with ssl_check=1 and the (legacy) token.
const slackSslCheck = 'ssl_check=1&token=Jhj5dZrVaK7ZwHHjRyZWjbDl'

function slackHeaders(body: string, secret = slackSecret): Record<string, string> {
  const signature = createHmac('sha256', secret).update(`v0:${nowSeconds}:${body}`).digest('hex')
  return {
    'content-type': 'application/json',
    'x-slack-request-timestamp': String(nowSeconds),
    'x-slack-signature': `v0=${signature}`,
  }
}

// Meta: "Getting Started → Verification Requests" (developers.facebook.com/docs/graph-api/webhooks/getting-started).
const metaSecret = 'hookguard conformance meta app secret'
const metaVerifyToken = 'meatyhamhock'
const metaChallenge = '1158201444'
const metaQuery = (token: string, challenge = metaChallenge) =>
  `?hub.mode=subscribe&hub.challenge=${challenge}&hub.verify_token=${token}`
const metaEvent = JSON.stringify({
  object: 'page',
  entry: [{ id: '1234567890', time: 1458692752478, messaging: [{ message: { mid: 'm_1', text: 'hello' } }] }],
})
const metaSignature = (body: string) => `sha256=${createHmac('sha256', metaSecret).update(body).digest('hex')}`
const metaVerifier = () => meta({ appSecret: metaSecret, verifyToken: metaVerifyToken })

// Zoom: "Using webhooks → Validate your webhook endpoint" and "Verify webhook events" (developers.zoom.us).
const zoomSecret = 'hookguard conformance zoom secret token'
const zoomPlainToken = 'qgg8vlvZRS6UYooatFL8Aw'
const zoomValidation = `{"payload":{"plainToken":"${zoomPlainToken}"},"event_ts":1654503849680,"event":"endpoint.url_validation"}`
const zoomEvent =
  '{"event":"meeting.started","payload":{"account_id":"D8cJuqWVQ623CI4Q8yQK0Q","object":{"id":"6962400003","topic":"My Meeting","type":2}},"event_ts":1626230691572}'

function zoomHeaders(body: string, secret = zoomSecret): Record<string, string> {
  const signature = createHmac('sha256', secret).update(`v0:${nowSeconds}:${body}`).digest('hex')
  return {
    'content-type': 'application/json',
    'x-zm-request-timestamp': String(nowSeconds),
    'x-zm-signature': `v0=${signature}`,
  }
}

// Dropbox: "Webhooks → The verification request" (dropbox.com/developers/reference/webhooks) and its notification body.
const dropboxSecret = 'hookguard conformance dropbox app secret'
const dropboxChallenge = 'mTP5g8ekKdp_x3zY-1.Qv~'
const dropboxNotification =
  '{"list_folder": {"accounts": ["dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc"]}, "delta": {"users": [12345678]}}'
const dropboxSignature = (body: string) => createHmac('sha256', dropboxSecret).update(body).digest('hex')

// Discord: "Receiving and Responding → Security and Authorization" and the PING (discord.com/developers/docs/interactions).
// Discord publishes no signing vectors: the key pair is made here, the PING body is the documented shape.
const discordKeys = generateKeyPairSync('ed25519')
const discordPublicKey = Buffer.from(discordKeys.publicKey.export({ format: 'jwk' }).x as string, 'base64url').toString(
  'hex',
)
const discordPing = '{"application_id":"1234567890","id":"987654321","token":"aW50ZXJhY3Rpb24","type":1,"version":1}'
const discordCommand =
  '{"application_id":"1234567890","id":"111222333","token":"dG9rZW4","type":2,"data":{"name":"hello","options":[{"type":1}]},"version":1}'

function discordHeaders(body: string, key = discordKeys.privateKey): Record<string, string> {
  const timestamp = String(nowSeconds)
  return {
    'content-type': 'application/json',
    'x-signature-timestamp': timestamp,
    'x-signature-ed25519': sign(null, Buffer.from(timestamp + body), key).toString('hex'),
  }
}

// Twitch: "Handling Webhook Events → Responding to a challenge request" (dev.twitch.tv/docs/eventsub), its example.
const twitchSecret = 'hookguard conformance twitch secret'
const twitchTime = new Date(nowSeconds * 1000).toISOString()
const twitchChallenge = 'pogchamp-kappa-360noscope-vohiyo'
const twitchSubscription = {
  id: 'f1c2a387-161a-49f9-a165-0f21d7a4e1c4',
  type: 'channel.follow',
  version: '2',
  cost: 1,
  condition: { broadcaster_user_id: '12826', moderator_user_id: '12826' },
  transport: { method: 'webhook', callback: 'https://example.com/webhooks/callback' },
  created_at: '2019-11-16T10:11:12.634234626Z',
}
const twitchVerification = JSON.stringify({
  challenge: twitchChallenge,
  subscription: { ...twitchSubscription, status: 'webhook_callback_verification_pending' },
})
const twitchRevocation = JSON.stringify({ subscription: { ...twitchSubscription, status: 'authorization_revoked' } })
const twitchNotification = JSON.stringify({
  subscription: { ...twitchSubscription, status: 'enabled' },
  event: { user_id: '1337', user_login: 'awesome_user', broadcaster_user_id: '12826', followed_at: twitchTime },
})

function twitchHeaders(type: string, body: string, id: string, secret = twitchSecret): Record<string, string> {
  const signature = createHmac('sha256', secret)
    .update(id + twitchTime + body)
    .digest('hex')
  return {
    'content-type': 'application/json',
    'twitch-eventsub-message-id': id,
    'twitch-eventsub-message-retry': '0',
    'twitch-eventsub-message-type': type,
    'twitch-eventsub-message-signature': `sha256=${signature}`,
    'twitch-eventsub-message-timestamp': twitchTime,
    'twitch-eventsub-subscription-type': 'channel.follow',
    'twitch-eventsub-subscription-version': '2',
  }
}

// Microsoft Graph: "Receive change notifications through webhooks" (learn.microsoft.com/graph): the validation
// request and a notification collection.
const graphState = 'secretClientValue'
const graphToken = 'Validation: Testing client application reachability for subscription Request-Id: 4e2f8d6c-1b3a'
const graphQuery = `?validationToken=${encodeURIComponent(graphToken).replaceAll('%20', '+')}`
const graphNotification = (state = graphState) =>
  JSON.stringify({
    value: [
      {
        id: 'lsgTZMr9KwAAA',
        subscriptionId: '7f105c7d-2dc5-4530-97cd-4e7ae6534c07',
        subscriptionExpirationDateTime: '2016-11-20T18:23:45.9356913Z',
        clientState: state,
        changeType: 'created',
        resource: 'users/{user_guid}/messages/{long_id_string}',
        tenantId: '84bd8158-6d4d-4958-8b9f-9d6445542f95',
        resourceData: { '@odata.type': '#Microsoft.Graph.Message', id: '{long_id_string}' },
      },
    ],
  })

// X: "Securing webhooks" and its sample CRC code: the example consumer secret and token.
const xSecret = 'z3ZX4v7mAAUGykl3EcmkqbartmuW8VFOOzCloLx9Q45P0hLrFu'
const xToken = '9b4507b3-9040-4669-9ca3-6b94edb50553'
const xActivity = JSON.stringify({
  for_user_id: '2244994945',
  tweet_create_events: [{ id_str: '1050118621198921728', text: 'hello' }],
})
const xSignature = (body: string) => `sha256=${createHmac('sha256', xSecret).update(body).digest('base64')}`

// Okta: "Event hooks → One-time verification request" and its event delivery envelope (developer.okta.com).
const oktaSecret = 'hookguard conformance okta secret'
const oktaChallenge = 'X1XJLdiLk0BoVqUqySOtS9UNE4pnxbodT1M_c2Yo'
const oktaDelivery = JSON.stringify({
  eventType: 'com.okta.event_hook',
  eventTypeVersion: '1.0',
  cloudEventsVersion: '0.1',
  source: 'https://example.okta.com/api/v1/eventHooks/whoql0HfiLGPWc8Jx0g3',
  eventId: 'b5a188b9-5ece-4636-b041-482ffda96311',
  data: { events: [{ uuid: '5f5b0a54-50a4-11e9-a9b0-f3d5b6c5d2f6', eventType: 'user.session.start', version: '0' }] },
  eventTime: '2019-03-27T16:59:53.032Z',
  contentType: 'application/json',
})

export const handshakeCases: readonly ConformanceCase[] = [
  {
    name: 'handshake: Twitch webhook_callback_verification, signed, is answered text/plain with the challenge, never deduped or enqueued',
    async run(start) {
      const { store, claims } = claimRecordingStore()
      const server = await start({ verify: [twitch({ secret: twitchSecret })], dedupe: store, now: clock })
      const headers = twitchHeaders('webhook_callback_verification', twitchVerification, 'e76c6bd4-55c9-4987-8304')
      const reply = await send(server.url, { headers, body: twitchVerification })
      expectHandshake(server, claims, reply, 'text/plain; charset=utf-8', twitchChallenge)
      expect(reply.headers['x-content-type-options']).toBe('nosniff')
    },
  },
  {
    name: 'handshake: Twitch verification with a bad or missing signature, a stale time or a markup challenge is refused, not echoed',
    async run(start) {
      const server = await start({ verify: [twitch({ secret: twitchSecret })], now: clock })
      const type = 'webhook_callback_verification'
      const forged = twitchHeaders(type, twitchVerification, 'id-1', 'not the secret')
      expectRefused(
        server,
        await send(server.url, { headers: forged, body: twitchVerification }),
        401,
        'invalid_signature',
        twitchChallenge,
      )
      const { 'twitch-eventsub-message-signature': _, ...unsigned } = twitchHeaders(type, twitchVerification, 'id-2')
      expectRefused(
        server,
        await send(server.url, { headers: unsigned, body: twitchVerification }),
        401,
        'missing_signature',
        twitchChallenge,
      )
      const markup = twitchVerification.replace(twitchChallenge, '<img src=x>')
      expectRefused(
        server,
        await send(server.url, { headers: twitchHeaders(type, markup, 'id-3'), body: markup }),
        400,
        'invalid_challenge',
        '<img',
      )
      const later = await start({ verify: [twitch({ secret: twitchSecret })], now: () => clock() + 601_000 })
      const stale = await send(later.url, {
        headers: twitchHeaders(type, twitchVerification, 'id-4'),
        body: twitchVerification,
      })
      expectRefused(later, stale, 401, 'timestamp_too_old', twitchChallenge)
      const get = await send(server.url, { method: 'GET', headers: twitchHeaders(type, '', 'id-5') })
      expectRefused(server, get, 405, 'method_not_allowed', twitchChallenge)
    },
  },
  {
    name: 'handshake: Twitch notifications are enqueued once by message id, typed by subscription; revocations as revocation',
    async run(start) {
      const server = await start({ verify: [twitch({ secret: twitchSecret })], now: clock })
      const headers = twitchHeaders('notification', twitchNotification, 'befa7b53-d79d-478f-86b9-120f112b044e')
      const first = await send(server.url, { headers, body: twitchNotification })
      expect({ status: first.status, code: first.json?.code }).toEqual({ status: 202, code: 'accepted' })
      const again = await send(server.url, { headers, body: twitchNotification })
      expect({ status: again.status, code: again.json?.code }).toEqual({ status: 200, code: 'duplicate' })
      const revoked = twitchHeaders('revocation', twitchRevocation, '84c1e79a-2a4b-4c13-ba0b-4312293e9308')
      const revocation = await send(server.url, { headers: revoked, body: twitchRevocation })
      expect({ status: revocation.status, code: revocation.json?.code }).toEqual({ status: 202, code: 'accepted' })
      expect(server.enqueued.map((e) => [e.id, e.type, e.timestamp])).toEqual([
        ['befa7b53-d79d-478f-86b9-120f112b044e', 'channel.follow', nowSeconds],
        ['84c1e79a-2a4b-4c13-ba0b-4312293e9308', 'revocation', nowSeconds],
      ])
    },
  },
  {
    name: 'handshake: Microsoft Graph POST ?validationToken is answered text/plain, form-decoded, nosniff, never deduped or enqueued',
    async run(start) {
      const { store, claims } = claimRecordingStore()
      const server = await start({ verify: [microsoftGraph({ clientState: graphState })], dedupe: store, now: clock })
      const headers = { 'content-type': 'text/plain; charset=utf-8' }
      const reply = await send(server.url, { path: graphQuery, headers, body: '' })
      expectHandshake(server, claims, reply, 'text/plain; charset=utf-8', graphToken)
      expect(reply.headers['x-content-type-options']).toBe('nosniff')
    },
  },
  {
    name: 'handshake: Microsoft Graph validation tokens that are markup, oversized or repeated are 400, a GET is 405, none echoed',
    async run(start) {
      const server = await start({ verify: [microsoftGraph({ clientState: graphState })], now: clock })
      const post = (path: string) => send(server.url, { path, headers: { 'content-type': 'text/plain' }, body: '' })
      expectRefused(
        server,
        await post('?validationToken=%3Cscript%3Ealert(1)%3C%2Fscript%3E'),
        400,
        'invalid_challenge',
        'script',
      )
      expectRefused(server, await post(`?validationToken=${'a'.repeat(1025)}`), 400, 'invalid_challenge', 'aaaa')
      expectRefused(server, await post(`${graphQuery}&validationToken=2`), 400, 'invalid_challenge', 'Validation')
      const get = await send(server.url, { method: 'GET', path: graphQuery })
      expectRefused(server, get, 405, 'method_not_allowed', 'Validation')
    },
  },
  {
    name: 'handshake: Microsoft Graph notifications with the clientState are 202 (typed by changeType); another clientState is 401',
    async run(start) {
      const server = await start({ verify: [microsoftGraph({ clientState: graphState })], now: clock })
      const headers = { 'content-type': 'application/json' }
      const first = await send(server.url, { headers, body: graphNotification() })
      expect({ status: first.status, code: first.json?.code }).toEqual({ status: 202, code: 'accepted' })
      const again = await send(server.url, { headers, body: graphNotification() })
      expect({ status: again.status, code: again.json?.code }).toEqual({ status: 200, code: 'duplicate' })
      expect(server.enqueued.map((e) => e.type)).toEqual(['created'])
      expect(server.enqueued[0]?.id).toMatch(/^body-sha256:/)
      const other = await send(server.url, { headers, body: graphNotification('guessed') })
      expect({ status: other.status, code: other.json?.code }).toEqual({ status: 401, code: 'invalid_client_state' })
      expect(other.text).not.toContain('guessed')
      expect(server.enqueued).toHaveLength(1)
    },
  },
  {
    name: 'handshake: X GET ?crc_token is answered { response_token: sha256=<base64 HMAC> }, never deduped or enqueued',
    async run(start) {
      const { store, claims } = claimRecordingStore()
      const server = await start({ verify: [x({ consumerSecret: xSecret })], dedupe: store, now: clock })
      const reply = await send(server.url, { method: 'GET', path: `?crc_token=${xToken}` })
      const responseToken = `sha256=${createHmac('sha256', xSecret).update(xToken).digest('base64')}`
      expectHandshake(server, claims, reply, 'application/json', JSON.stringify({ response_token: responseToken }))
    },
  },
  {
    name: 'handshake: X CRC tokens of the wrong shape are 400 unsigned, a POST crc_token 401, and past the rate 429 with Retry-After',
    async run(start) {
      const server = await start({ verify: [x({ consumerSecret: xSecret, crcPerMinute: 2 })], now: clock })
      const get = (path: string) => send(server.url, { method: 'GET', path })
      for (const token of ['short', 'a'.repeat(129), '%3Cb%3Eabcdefgh', '']) {
        const reply = await get(`?crc_token=${token}`)
        expectRefused(server, reply, 400, 'invalid_challenge', 'response_token')
      }
      expectRefused(server, await get(`?crc_token=${xToken}&crc_token=${xToken}`), 400, 'invalid_challenge', 'sha256')
      expectRefused(server, await get(''), 405, 'method_not_allowed', 'GET')
      expectRefused(
        server,
        await send(server.url, { path: `?crc_token=${xToken}`, body: '' }),
        401,
        'missing_signature',
        'sha256',
      )
      expect((await get(`?crc_token=${xToken}`)).status).toBe(200)
      expect((await get(`?crc_token=${xToken}`)).status).toBe(200)
      const limited = await get(`?crc_token=${xToken}`)
      expectRefused(server, limited, 429, 'handshake_rate_limited', 'sha256')
      expect(limited.headers['retry-after']).toMatch(/^[1-9][0-9]*$/)
    },
  },
  {
    name: 'handshake: X events are signed POSTs (base64), enqueued once, typed by their _events key',
    async run(start) {
      const server = await start({ verify: [x({ consumerSecret: xSecret })], now: clock })
      const headers = { 'content-type': 'application/json', 'x-twitter-webhooks-signature': xSignature(xActivity) }
      const first = await send(server.url, { headers, body: xActivity })
      expect({ status: first.status, code: first.json?.code }).toEqual({ status: 202, code: 'accepted' })
      const again = await send(server.url, { headers, body: xActivity })
      expect({ status: again.status, code: again.json?.code }).toEqual({ status: 200, code: 'duplicate' })
      const forged = await send(server.url, {
        headers: { ...headers, 'x-twitter-webhooks-signature': xSignature('{}') },
        body: xActivity,
      })
      expect({ status: forged.status, code: forged.json?.code }).toEqual({ status: 401, code: 'invalid_signature' })
      expect(server.enqueued.map((e) => e.type)).toEqual(['tweet_create_events'])
    },
  },
  {
    name: 'handshake: Okta verification GET with the secret header is answered { verification }, never deduped or enqueued',
    async run(start) {
      const { store, claims } = claimRecordingStore()
      const server = await start({ verify: [okta({ secret: oktaSecret })], dedupe: store, now: clock })
      const headers = { authorization: oktaSecret, 'x-okta-verification-challenge': oktaChallenge }
      const reply = await send(server.url, { method: 'GET', headers })
      expectHandshake(server, claims, reply, 'application/json', JSON.stringify({ verification: oktaChallenge }))
    },
  },
  {
    name: 'handshake: Okta verification without or with a wrong secret is 401, a markup challenge 400, a plain GET 405, none echoed',
    async run(start) {
      const server = await start({ verify: [okta({ secret: oktaSecret })], now: clock })
      const get = (headers: Record<string, string>) => send(server.url, { method: 'GET', headers })
      const challenge = { 'x-okta-verification-challenge': oktaChallenge }
      expectRefused(server, await get(challenge), 401, 'missing_credentials', oktaChallenge)
      expectRefused(server, await get({ ...challenge, authorization: 'guessed' }), 401, 'invalid_token', oktaChallenge)
      const markup = { authorization: oktaSecret, 'x-okta-verification-challenge': '<b>x</b>' }
      expectRefused(server, await get(markup), 400, 'invalid_challenge', '<b>')
      expectRefused(server, await get({ authorization: oktaSecret }), 405, 'method_not_allowed', 'GET')
    },
  },
  {
    name: 'handshake: Okta deliveries with the secret are enqueued once by eventId, typed by the batch eventType',
    async run(start) {
      const server = await start({ verify: [okta({ secret: oktaSecret })], now: clock })
      const headers = { 'content-type': 'application/json', authorization: oktaSecret }
      const first = await send(server.url, { headers, body: oktaDelivery })
      expect({ status: first.status, code: first.json?.code }).toEqual({ status: 202, code: 'accepted' })
      const again = await send(server.url, { headers, body: oktaDelivery })
      expect({ status: again.status, code: again.json?.code }).toEqual({ status: 200, code: 'duplicate' })
      expect(server.enqueued.map((e) => [e.id, e.type])).toEqual([
        ['b5a188b9-5ece-4636-b041-482ffda96311', 'user.session.start'],
      ])
    },
  },
  {
    name: 'handshake: SNS SubscriptionConfirmation and UnsubscribeConfirmation are answered 200, never deduped or enqueued, nothing confirmed by default',
    async run(start) {
      const { store, claims } = claimRecordingStore()
      const fetch = snsFetch()
      const server = await start({ verify: [snsVerifier(fetch)], dedupe: store, now: clock })
      for (const type of ['SubscriptionConfirmation', 'UnsubscribeConfirmation']) {
        const reply = await send(server.url, { headers: snsHeaders(type), body: snsMessage(type) })
        expectHandshake(server, claims, reply, 'application/json', '{"status":200,"code":"handshake"}')
      }
      expect(fetch.asked.filter((url) => url.includes('ConfirmSubscription'))).toEqual([])
    },
  },
  {
    name: 'handshake: SNS with confirmSubscriptions fetches SubscribeURL exactly once; a forged confirmation is 401 and fetches nothing',
    async run(start) {
      const { store, claims } = claimRecordingStore()
      const fetch = snsFetch()
      const server = await start({ verify: [snsVerifier(fetch, true)], dedupe: store, now: clock })
      const type = 'SubscriptionConfirmation'
      const forged = snsMessage(type).replace('conformance-token-0123456789', 'attacker-token-0123456789')
      expectRefused(
        server,
        await send(server.url, { headers: snsHeaders(type), body: forged }),
        401,
        'invalid_signature',
        'attacker',
      )
      const reply = await send(server.url, { headers: snsHeaders(type), body: snsMessage(type) })
      expectHandshake(server, claims, reply, 'application/json', '{"status":200,"code":"handshake"}')
      expect(fetch.asked.filter((url) => url.includes('ConfirmSubscription'))).toHaveLength(1)
    },
  },
  {
    name: 'handshake: Discord PING, signed Ed25519, is answered {"type":1}, never deduped or enqueued',
    async run(start) {
      const { store, claims } = claimRecordingStore()
      const server = await start({ verify: [discord({ publicKey: discordPublicKey })], dedupe: store, now: clock })
      const reply = await send(server.url, { headers: discordHeaders(discordPing), body: discordPing })
      expectHandshake(server, claims, reply, 'application/json', '{"type":1}')
    },
  },
  {
    name: 'handshake: Discord PING with a bad or missing signature is 401; a signed command is enqueued with its id',
    async run(start) {
      const server = await start({ verify: [discord({ publicKey: discordPublicKey })], now: clock })
      const other = generateKeyPairSync('ed25519').privateKey
      const forged = await send(server.url, { headers: discordHeaders(discordPing, other), body: discordPing })
      expectRefused(server, forged, 401, 'invalid_signature', '"type":1')
      const unsigned = await send(server.url, { headers: { 'content-type': 'application/json' }, body: discordPing })
      expectRefused(server, unsigned, 401, 'missing_signature', '"type":1')
      const command = await send(server.url, { headers: discordHeaders(discordCommand), body: discordCommand })
      expect({ status: command.status, code: command.json?.code }).toEqual({ status: 202, code: 'accepted' })
      expect(server.enqueued.map((e) => e.id)).toEqual(['111222333'])
    },
  },
  {
    name: 'handshake: Dropbox GET ?challenge is answered text/plain with nosniff, never deduped or enqueued',
    async run(start) {
      const { store, claims } = claimRecordingStore()
      const server = await start({ verify: [dropbox({ appSecret: dropboxSecret })], dedupe: store, now: clock })
      const reply = await send(server.url, { method: 'GET', path: `?challenge=${dropboxChallenge}` })
      expectHandshake(server, claims, reply, 'text/plain; charset=utf-8', dropboxChallenge)
      expect(reply.headers['x-content-type-options']).toBe('nosniff')
    },
  },
  {
    name: 'handshake: Dropbox challenges outside the safe set or oversized are 400, a plain GET 405, a POST challenge 401',
    async run(start) {
      const server = await start({ verify: [dropbox({ appSecret: dropboxSecret })], now: clock })
      const get = (path: string) => send(server.url, { method: 'GET', path })
      expectRefused(server, await get('?challenge=%3Csvg%20onload%3D1%3E'), 400, 'invalid_challenge', 'svg')
      expectRefused(server, await get(`?challenge=${'a'.repeat(257)}`), 400, 'invalid_challenge', 'aaaa')
      expectRefused(server, await get('?challenge='), 400, 'invalid_challenge', 'challenge=')
      expectRefused(server, await get(''), 405, 'method_not_allowed', 'GET')
      const posted = await send(server.url, { path: `?challenge=${dropboxChallenge}`, body: '' })
      expectRefused(server, posted, 401, 'missing_signature', dropboxChallenge)
    },
  },
  {
    name: 'handshake: Dropbox notifications are signed POSTs, enqueued once; a bad signature is 401',
    async run(start) {
      const server = await start({ verify: [dropbox({ appSecret: dropboxSecret })], now: clock })
      const headers = {
        'content-type': 'application/json',
        'x-dropbox-signature': dropboxSignature(dropboxNotification),
      }
      const first = await send(server.url, { headers, body: dropboxNotification })
      expect({ status: first.status, code: first.json?.code }).toEqual({ status: 202, code: 'accepted' })
      const again = await send(server.url, { headers, body: dropboxNotification })
      expect({ status: again.status, code: again.json?.code }).toEqual({ status: 200, code: 'duplicate' })
      const forged = await send(server.url, {
        headers: { ...headers, 'x-dropbox-signature': dropboxSignature('{}') },
        body: dropboxNotification,
      })
      expect({ status: forged.status, code: forged.json?.code }).toEqual({ status: 401, code: 'invalid_signature' })
      expect(server.enqueued).toHaveLength(1)
    },
  },
  {
    name: 'handshake: Zoom endpoint.url_validation, signed, is answered { plainToken, encryptedToken }, never deduped or enqueued',
    async run(start) {
      const { store, claims } = claimRecordingStore()
      const server = await start({ verify: [zoom({ secretToken: zoomSecret })], dedupe: store, now: clock })
      const reply = await send(server.url, { headers: zoomHeaders(zoomValidation), body: zoomValidation })
      const encryptedToken = createHmac('sha256', zoomSecret).update(zoomPlainToken).digest('hex')
      expectHandshake(
        server,
        claims,
        reply,
        'application/json',
        JSON.stringify({ plainToken: zoomPlainToken, encryptedToken }),
      )
    },
  },
  {
    name: 'handshake: Zoom url_validation with a bad or missing signature, or an odd plain token, is refused and not echoed',
    async run(start) {
      const server = await start({ verify: [zoom({ secretToken: zoomSecret })], now: clock })
      const forged = await send(server.url, { headers: zoomHeaders(zoomValidation, 'not it'), body: zoomValidation })
      expectRefused(server, forged, 401, 'invalid_signature', zoomPlainToken)
      const unsigned = await send(server.url, { headers: { 'content-type': 'application/json' }, body: zoomValidation })
      expectRefused(server, unsigned, 401, 'missing_signature', zoomPlainToken)
      const odd = zoomValidation.replace(zoomPlainToken, '<i>x</i>')
      expectRefused(
        server,
        await send(server.url, { headers: zoomHeaders(odd), body: odd }),
        400,
        'invalid_challenge',
        '<i>',
      )
    },
  },
  {
    name: 'handshake: Zoom events are signed v0 with the timestamp, enqueued once, typed by event',
    async run(start) {
      const server = await start({ verify: [zoom({ secretToken: zoomSecret })], now: clock })
      const first = await send(server.url, { headers: zoomHeaders(zoomEvent), body: zoomEvent })
      expect({ status: first.status, code: first.json?.code }).toEqual({ status: 202, code: 'accepted' })
      const again = await send(server.url, { headers: zoomHeaders(zoomEvent), body: zoomEvent })
      expect({ status: again.status, code: again.json?.code }).toEqual({ status: 200, code: 'duplicate' })
      expect(server.enqueued.map((e) => [e.type, e.timestamp])).toEqual([['meeting.started', nowSeconds]])
    },
  },
  {
    name: 'handshake: Slack url_verification, signed, is answered with its challenge (JSON), never deduped or enqueued',
    async run(start) {
      const { store, claims } = claimRecordingStore()
      const server = await start({ verify: [slack({ signingSecret: slackSecret })], dedupe: store, now: clock })
      const reply = await send(server.url, { headers: slackHeaders(slackUrlVerification), body: slackUrlVerification })
      expectHandshake(server, claims, reply, 'application/json', JSON.stringify({ challenge: slackChallenge }))
    },
  },
  {
    name: 'handshake: Slack url_verification with a bad signature, or a challenge that is markup, is refused and not echoed',
    async run(start) {
      const server = await start({ verify: [slack({ signingSecret: slackSecret })], now: clock })
      const forged = await send(server.url, {
        headers: slackHeaders(slackUrlVerification, 'not the secret'),
        body: slackUrlVerification,
      })
      expectRefused(server, forged, 401, 'invalid_signature', slackChallenge)
      const markup = slackUrlVerification.replace(slackChallenge, '<script>alert(1)</script>')
      expectRefused(
        server,
        await send(server.url, { headers: slackHeaders(markup), body: markup }),
        400,
        'invalid_challenge',
        'script',
      )
    },
  },
  {
    name: 'handshake: Slack ssl_check=1, unsigned, is answered 200 empty; any other unsigned form is 401',
    async run(start) {
      const { store, claims } = claimRecordingStore()
      const server = await start({ verify: [slack({ signingSecret: slackSecret })], dedupe: store, now: clock })
      const form = { 'content-type': 'application/x-www-form-urlencoded' }
      const reply = await send(server.url, { headers: form, body: slackSslCheck })
      expectHandshake(server, claims, reply, 'text/plain; charset=utf-8', '')
      for (const body of ['ssl_check=1&command=%2Fdeploy', 'ssl_check=2', 'ssl_check=1&ssl_check=1']) {
        expectRefused(server, await send(server.url, { headers: form, body }), 401, 'missing_signature', 'deploy')
      }
      const asJson = await send(server.url, { headers: { 'content-type': 'application/json' }, body: slackSslCheck })
      expectRefused(server, asJson, 401, 'missing_signature', 'ssl_check')
    },
  },
  {
    name: 'handshake: Meta GET hub.challenge with the verify token is answered text/plain, nosniff, logged as handshake by meta',
    async run(start) {
      const { store, claims } = claimRecordingStore()
      const { records, logger } = infoLogger()
      const server = await start({ verify: [metaVerifier()], dedupe: store, logger, now: clock })
      const reply = await send(server.url, { method: 'GET', path: metaQuery(metaVerifyToken) })
      expectHandshake(server, claims, reply, 'text/plain; charset=utf-8', metaChallenge)
      expect(reply.headers['x-content-type-options']).toBe('nosniff')
      expect(records).toContainEqual(
        expect.objectContaining({ outcome: 'handshake', code: 'handshake', verifier: 'meta' }),
      )
    },
  },
  {
    name: 'handshake: Meta query values are form-decoded (a + is a space)',
    async run(start) {
      const server = await start({
        verify: [meta({ appSecret: metaSecret, verifyToken: 'meaty ham+hock' })],
        now: clock,
      })
      const reply = await send(server.url, { method: 'GET', path: metaQuery('meaty+ham%2Bhock') })
      expect({ status: reply.status, text: reply.text }).toEqual({ status: 200, text: metaChallenge })
    },
  },
  {
    name: 'handshake: Meta with a wrong verify token is 403, a malformed challenge 400, a plain GET 405, none echoed',
    async run(start) {
      const server = await start({ verify: [metaVerifier()], now: clock })
      const get = (path: string) => send(server.url, { method: 'GET', path })
      expectRefused(server, await get(metaQuery('not-the-token')), 403, 'invalid_verify_token', metaChallenge)
      expectRefused(
        server,
        await get(metaQuery(metaVerifyToken.slice(0, -1))),
        403,
        'invalid_verify_token',
        metaChallenge,
      )
      expectRefused(server, await get(metaQuery(metaVerifyToken, '%3Cb%3E')), 400, 'invalid_challenge', '<b>')
      expectRefused(server, await get(metaQuery(metaVerifyToken, '9'.repeat(300))), 400, 'invalid_challenge', '999')
      expectRefused(
        server,
        await get(`${metaQuery(metaVerifyToken)}&hub.challenge=2`),
        400,
        'invalid_challenge',
        metaChallenge,
      )
      const plain = await get('')
      expectRefused(server, plain, 405, 'method_not_allowed', 'GET')
      expect(plain.headers.allow).toBe('POST')
    },
  },
  {
    name: 'handshake: Meta hub.challenge on a POST is not a handshake: 401 unless signed',
    async run(start) {
      const server = await start({ verify: [metaVerifier()], now: clock })
      const reply = await send(server.url, { path: metaQuery(metaVerifyToken), body: '' })
      expectRefused(server, reply, 401, 'missing_signature', metaChallenge)
    },
  },
  {
    name: 'handshake: Meta events are signed POSTs, enqueued once, their id the body digest, their type the object',
    async run(start) {
      const server = await start({ verify: [metaVerifier()], now: clock })
      const headers = { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(metaEvent) }
      const first = await send(server.url, { headers, body: metaEvent })
      expect({ status: first.status, code: first.json?.code }).toEqual({ status: 202, code: 'accepted' })
      const again = await send(server.url, { headers, body: metaEvent })
      expect({ status: again.status, code: again.json?.code }).toEqual({ status: 200, code: 'duplicate' })
      expect(server.enqueued).toHaveLength(1)
      expect(server.enqueued[0]).toMatchObject({ type: 'page', auth: [{ verifier: 'meta' }] })
      expect(server.enqueued[0]?.id).toMatch(/^body-sha256:[A-Za-z0-9+/]{43}=$/)
      const forged = await send(server.url, {
        headers: { ...headers, 'x-hub-signature-256': metaSignature('{}') },
        body: metaEvent,
      })
      expect({ status: forged.status, code: forged.json?.code }).toEqual({ status: 401, code: 'invalid_signature' })
      expect(server.enqueued).toHaveLength(1)
    },
  },
  {
    name: 'handshake: a handshake still obeys allowIps and the other verifiers',
    async run(start) {
      const blocked = await start({ verify: [metaVerifier()], allowIps: ['203.0.113.0/24'], now: clock })
      const get = (server: StartedTarget) => send(server.url, { method: 'GET', path: metaQuery(metaVerifyToken) })
      expectRefused(blocked, await get(blocked), 403, 'ip_not_allowed', metaChallenge)
      const allowed = await start({ verify: [metaVerifier()], allowIps: ['127.0.0.1'], now: clock })
      expect((await get(allowed)).text).toBe(metaChallenge)
      const token = 'hookguard-conformance-bearer-token'
      const both = await start({ verify: [bearerToken({ tokens: token }), metaVerifier()], now: clock })
      expectRefused(both, await get(both), 401, 'missing_credentials', metaChallenge)
      const withToken = await send(both.url, {
        method: 'GET',
        path: metaQuery(metaVerifyToken),
        headers: { authorization: `Bearer ${token}` },
      })
      expect({ status: withToken.status, text: withToken.text }).toEqual({ status: 200, text: metaChallenge })
      const crc = `?crc_token=${xToken}`
      const xBlocked = await start({
        verify: [x({ consumerSecret: xSecret })],
        allowIps: ['203.0.113.0/24'],
        now: clock,
      })
      expectRefused(xBlocked, await send(xBlocked.url, { method: 'GET', path: crc }), 403, 'ip_not_allowed', 'sha256')
      const xBoth = await start({
        verify: [bearerToken({ tokens: token }), x({ consumerSecret: xSecret })],
        now: clock,
      })
      expectRefused(xBoth, await send(xBoth.url, { method: 'GET', path: crc }), 401, 'missing_credentials', 'sha256')
      const graphBlocked = await start({
        verify: [microsoftGraph({ clientState: graphState })],
        allowIps: ['203.0.113.0/24'],
        now: clock,
      })
      const graphReply = await send(graphBlocked.url, { path: graphQuery, body: '' })
      expectRefused(graphBlocked, graphReply, 403, 'ip_not_allowed', 'Validation')
    },
  },
]
