import { createHmac, generateKeyPairSync, sign } from 'node:crypto'
import {
  bearerToken,
  type DedupeStore,
  discord,
  dropbox,
  type Logger,
  memoryStore,
  meta,
  slack,
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

export const handshakeCases: readonly ConformanceCase[] = [
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
    },
  },
]
