import { createHash, createHmac, generateKeyPairSync, sign } from 'node:crypto'
import {
  gitlab,
  hubspot,
  lemonSqueezy,
  linear,
  mailgun,
  paddle,
  polar,
  postmark,
  sendgrid,
  shopify,
  square,
  twilio,
  vercel,
  workos,
} from '@hookguard/core'
import { Webhook as StandardWebhook } from 'standardwebhooks'
import { expect } from 'vitest'
import { send } from '../http-client.js'
import { snsFetch, snsHeaders, snsMessage, snsTopic, snsVerifier } from './sns-fixture.js'
import { type ConformanceCase, expectVerdict, nowSeconds } from './support.js'

/** Cases for sender presets, run through every target like the rest of the conformance suite. */

const senderSecret = 'hookguard preset-case secret'
const body = JSON.stringify({ id: 820982911946154500, total_price: '10.00' })
const hmacOf = (algorithm: 'sha1' | 'sha256', content: string, encoding: 'hex' | 'base64') =>
  createHmac(algorithm, senderSecret).update(content).digest(encoding)

/** SendGrid signs with its private key: an EC P-256 pair made once for these cases. */
const sendgridKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' })

/** Shopify under its current header names and under the old `x-shopify-*` ones. */
const shopifyForms = [
  { label: 'shopify-* (current names)', prefix: 'shopify' },
  { label: 'x-shopify-* (old names)', prefix: 'x-shopify' },
] as const

/** The new senders: what each signs, sent with the guard's fixed clock; the id each gives the event. */
const senders = [
  {
    name: 'Vercel',
    verify: () => vercel({ secret: senderSecret }),
    body: JSON.stringify({ id: 'evt_vercel', type: 'deployment.created', total_price: '10.00' }),
    headers: (content: string) => ({ 'x-vercel-signature': hmacOf('sha1', content, 'hex') }),
    id: () => 'evt_vercel',
  },
  {
    name: 'Lemon Squeezy',
    verify: () => lemonSqueezy({ secret: senderSecret }),
    body: JSON.stringify({ meta: { event_name: 'order_created' }, data: { id: '1', total_price: '10.00' } }),
    headers: (content: string) => ({
      'x-signature': hmacOf('sha256', content, 'hex'),
      'x-event-name': 'order_created',
    }),
    id: (content: string) => createHash('sha256').update(content).digest('hex'),
  },
  {
    name: 'Linear',
    verify: () => linear({ secret: senderSecret }),
    body: JSON.stringify({ type: 'Issue', total_price: '10.00', webhookTimestamp: nowSeconds * 1000 - 1500 }),
    headers: (content: string) => ({
      'linear-signature': hmacOf('sha256', content, 'hex'),
      'linear-delivery': 'd-linear',
    }),
    id: () => 'd-linear',
  },
  {
    name: 'Paddle',
    verify: () => paddle({ secret: senderSecret }),
    body: JSON.stringify({ event_id: 'evt_paddle', event_type: 'transaction.paid', total_price: '10.00' }),
    headers: (content: string) => ({
      'paddle-signature': `ts=${nowSeconds - 2};h1=${hmacOf('sha256', `${nowSeconds - 2}:${content}`, 'hex')}`,
    }),
    id: () => 'evt_paddle',
  },
  {
    name: 'WorkOS',
    verify: () => workos({ secret: senderSecret }),
    body: JSON.stringify({ id: 'event_workos', event: 'user.created', total_price: '10.00' }),
    headers: (content: string) => {
      const t = nowSeconds * 1000 - 2500
      return { 'workos-signature': `t=${t}, v1=${hmacOf('sha256', `${t}.${content}`, 'hex')}` }
    },
    id: () => 'event_workos',
  },
  {
    name: 'SendGrid',
    verify: () =>
      sendgrid({ publicKey: sendgridKeys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64') }),
    body: JSON.stringify([{ event: 'processed', sg_event_id: 'sg-1', total_price: '10.00' }]),
    headers: (content: string) => {
      const timestamp = String(nowSeconds - 1)
      const signature = sign('sha256', Buffer.from(timestamp + content), sendgridKeys.privateKey).toString('base64')
      return {
        'x-twilio-email-event-webhook-timestamp': timestamp,
        'x-twilio-email-event-webhook-signature': signature,
      }
    },
    id: (content: string) => createHash('sha256').update(content).digest('hex'),
  },
  {
    name: 'Polar',
    verify: () => polar({ secret: senderSecret }),
    body: JSON.stringify({ type: 'order.paid', total_price: '10.00' }),
    headers: (content: string) => ({
      'webhook-id': 'msg_polar',
      'webhook-timestamp': String(nowSeconds),
      // As @polar-sh/sdk keys it: the secret's UTF-8 bytes, base64-encoded for the library.
      'webhook-signature': new StandardWebhook(Buffer.from(senderSecret).toString('base64')).sign(
        'msg_polar',
        new Date(nowSeconds * 1000),
        content,
      ),
    }),
    id: () => 'msg_polar',
  },
]

/** The URL the senders that sign it saw: the public base joined with the target's path and the query sent. */
const publicUrl = 'https://hooks.example'
const seenUrl = (serverUrl: string, query: string) => `${publicUrl}${new URL(serverUrl).pathname}${query}`
const otherSecret = 'another preset-case secret'
const hmacWith = (key: string, algorithm: 'sha1' | 'sha256', content: string, encoding: 'hex' | 'base64') =>
  createHmac(algorithm, key).update(content).digest(encoding)

/** Twilio: base64 HMAC-SHA1 of the URL followed by the form parameters sorted by name. */
const twilioSignature = (key: string, url: string, form: string) => {
  const params = [...new URLSearchParams(form)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return hmacWith(key, 'sha1', url + params.map(([name, value]) => name + value).join(''), 'base64')
}

/** Senders that sign the request URL, or whose signature is not over the body: valid, tampered, wrong key, stale, wrong URL. */
const urlCases: readonly ConformanceCase[] = [
  {
    name: 'Twilio: URL + sorted form params accepted; tampered body, wrong token, wrong URL refused',
    async run(start) {
      const server = await start({ verify: [twilio({ authToken: senderSecret, publicUrl })] })
      const query = '?call=1'
      const form = 'MessageSid=SM1&MessageStatus=delivered&To=%2B15550100'
      const headers = (signature: string) => ({
        'content-type': 'application/x-www-form-urlencoded',
        'i-twilio-idempotency-token': 'idem-twilio',
        'x-twilio-signature': signature,
      })
      const valid = twilioSignature(senderSecret, seenUrl(server.url, query), form)
      expectVerdict(await send(server.url, { path: query, headers: headers(valid), body: form }), 202, 'accepted')
      const tampered = form.replace('delivered', 'failed')
      expectVerdict(
        await send(server.url, { path: query, headers: headers(valid), body: tampered }),
        401,
        'invalid_signature',
      )
      const wrongKey = twilioSignature(otherSecret, seenUrl(server.url, query), form)
      expectVerdict(
        await send(server.url, { path: query, headers: headers(wrongKey), body: form }),
        401,
        'invalid_signature',
      )
      const wrongUrl = twilioSignature(senderSecret, seenUrl(server.url, '?call=2'), form)
      expectVerdict(
        await send(server.url, { path: query, headers: headers(wrongUrl), body: form }),
        401,
        'invalid_signature',
      )
      expect(server.enqueued.map((e) => e.id)).toEqual(['idem-twilio'])
    },
  },
  {
    name: 'HubSpot v3: method + URI + body + timestamp accepted; tampered, wrong secret, stale, wrong URL refused',
    async run(start) {
      const server = await start({ verify: [hubspot({ clientSecret: senderSecret, publicUrl })] })
      const query = '?portal=62515'
      const batch = JSON.stringify([{ eventId: 1, subscriptionType: 'contact.creation', total_price: '10.00' }])
      const headers = (key: string, url: string, ms: number, content = batch) => ({
        'content-type': 'application/json',
        'x-hubspot-request-timestamp': String(ms),
        'x-hubspot-signature-v3': hmacWith(key, 'sha256', `POST${url}${content}${ms}`, 'base64'),
      })
      const url = seenUrl(server.url, query)
      const ms = nowSeconds * 1000 - 1000
      const post = (h: Record<string, string>, content = batch) =>
        send(server.url, { path: query, headers: h, body: content })
      expectVerdict(await post(headers(senderSecret, url, ms)), 202, 'accepted')
      expectVerdict(
        await post(headers(senderSecret, url, ms), batch.replace('10.00', '0.01')),
        401,
        'invalid_signature',
      )
      expectVerdict(await post(headers(otherSecret, url, ms)), 401, 'invalid_signature')
      expectVerdict(await post(headers(senderSecret, url, nowSeconds * 1000 - 301_000)), 401, 'timestamp_too_old')
      expectVerdict(await post(headers(senderSecret, seenUrl(server.url, '?portal=1'), ms)), 401, 'invalid_signature')
      expect(server.enqueued.map((e) => e.type)).toEqual(['contact.creation'])
    },
  },
  {
    name: 'Square: notification URL + body accepted; tampered, wrong key, another URL refused',
    async run(start) {
      const notificationUrl = 'https://hooks.example/square'
      const server = await start({ verify: [square({ signatureKey: senderSecret, notificationUrl })] })
      const event = JSON.stringify({ event_id: 'ev-square', type: 'payment.updated', total_price: '10.00' })
      const headers = (key: string, url: string) => ({
        'content-type': 'application/json',
        'x-square-hmacsha256-signature': hmacWith(key, 'sha256', url + event, 'base64'),
      })
      expectVerdict(
        await send(server.url, { headers: headers(senderSecret, notificationUrl), body: event }),
        202,
        'accepted',
      )
      const tampered = event.replace('10.00', '0.01')
      const refused = [
        { headers: headers(senderSecret, notificationUrl), body: tampered },
        { headers: headers(otherSecret, notificationUrl), body: event },
        { headers: headers(senderSecret, 'https://hooks.example/other'), body: event },
      ]
      for (const init of refused) expectVerdict(await send(server.url, init), 401, 'invalid_signature')
      expect(server.enqueued.map((e) => [e.id, e.type])).toEqual([['ev-square', 'payment.updated']])
    },
  },
  {
    name: 'Mailgun: timestamp + token accepted; wrong key, tampered token, stale timestamp refused; a token is used once',
    async run(start) {
      const server = await start({ verify: [mailgun({ signingKey: senderSecret })] })
      const token = 'e0b5477167110d68991efc6b9f89f0a11066af27834600e123'
      const delivery = (key: string, timestamp: number, id: string, sigToken = token) =>
        JSON.stringify({
          signature: {
            token: sigToken,
            timestamp: String(timestamp),
            signature: hmacWith(key, 'sha256', `${timestamp}${token}`, 'hex'),
          },
          'event-data': { id, event: 'delivered' },
        })
      const json = { 'content-type': 'application/json' }
      expectVerdict(
        await send(server.url, { headers: json, body: delivery(senderSecret, nowSeconds - 2, 'mg-1') }),
        202,
        'accepted',
      )
      const refused: [string, number, string][] = [
        [delivery(otherSecret, nowSeconds - 2, 'mg-2'), 401, 'invalid_signature'],
        [delivery(senderSecret, nowSeconds - 2, 'mg-3', `${token.slice(1)}f`), 401, 'invalid_signature'],
        [delivery(senderSecret, nowSeconds - 301, 'mg-4'), 401, 'timestamp_too_old'],
      ]
      for (const [content, status, code] of refused)
        expectVerdict(await send(server.url, { headers: json, body: content }), status, code)
      // The same signed token over other event data: a duplicate, not a second event.
      expectVerdict(
        await send(server.url, { headers: json, body: delivery(senderSecret, nowSeconds - 2, 'mg-5') }),
        200,
        'duplicate',
      )
      expect(server.enqueued.map((e) => [e.id, e.type])).toEqual([['mg-1', 'delivered']])
    },
  },
]

export const presetCases: readonly ConformanceCase[] = [
  ...urlCases,
  ...senders.map(
    (sender): ConformanceCase => ({
      name: `${sender.name}: accepted with the sender's id; a tampered body is refused`,
      async run(start) {
        const server = await start({ verify: [sender.verify()] })
        const headers = { 'content-type': 'application/json', ...sender.headers(sender.body) }
        expectVerdict(await send(server.url, { headers, body: sender.body }), 202, 'accepted')
        const tampered = sender.body.replace('10.00', '0.01')
        expectVerdict(await send(server.url, { headers, body: tampered }), 401, 'invalid_signature')
        expect(server.enqueued.map((e) => e.id)).toEqual([sender.id(sender.body)])
      },
    }),
  ),
  {
    name: 'GitLab: the token is accepted and the Idempotency-Key is the id; a wrong token is refused',
    async run(start) {
      const server = await start({ verify: [gitlab({ token: senderSecret })] })
      const headers = { 'content-type': 'application/json', 'x-gitlab-event': 'Push Hook', 'idempotency-key': 'k-1' }
      const reply = await send(server.url, { headers: { ...headers, 'x-gitlab-token': senderSecret }, body })
      expectVerdict(reply, 202, 'accepted')
      const wrong = await send(server.url, { headers: { ...headers, 'x-gitlab-token': 'guess' }, body })
      expectVerdict(wrong, 401, 'invalid_token')
      expect(server.enqueued.map((e) => [e.id, e.type])).toEqual([['k-1', 'Push Hook']])
    },
  },
  {
    name: 'Postmark: the Basic credentials are accepted, the id is RecordType:MessageID; a wrong password is refused',
    async run(start) {
      const server = await start({ verify: [postmark({ username: 'postmark', password: senderSecret })] })
      const delivery = JSON.stringify({ RecordType: 'Delivery', MessageID: 'm-1', Recipient: 'a@example.com' })
      const basic = (pass: string) => `Basic ${Buffer.from(`postmark:${pass}`).toString('base64')}`
      const headers = (pass: string) => ({ 'content-type': 'application/json', authorization: basic(pass) })
      expectVerdict(await send(server.url, { headers: headers(senderSecret), body: delivery }), 202, 'accepted')
      expectVerdict(await send(server.url, { headers: headers('guess'), body: delivery }), 401, 'invalid_token')
      expect(server.enqueued.map((e) => [e.id, e.type])).toEqual([['Delivery:m-1', 'Delivery']])
    },
  },
  {
    name: 'AWS SNS: a signed notification is accepted with its MessageId (certificate fetched once); tampered, stale, other topics and other hosts are refused',
    async run(start) {
      const fetch = snsFetch()
      const server = await start({ verify: [snsVerifier(fetch)] })
      const message = snsMessage('Notification')
      const post = (body: string) => send(server.url, { headers: snsHeaders('Notification'), body })
      expectVerdict(await post(message), 202, 'accepted')
      expectVerdict(await post(message), 200, 'duplicate')
      expectVerdict(await post(message.replace('10.00', '0.01')), 401, 'invalid_signature')
      const stale = snsMessage('Notification', {
        MessageId: 'stale',
        Timestamp: new Date((nowSeconds - 3901) * 1000).toISOString(),
      })
      expectVerdict(await post(stale), 401, 'timestamp_too_old')
      const otherTopic = snsMessage('Notification', { MessageId: 'other', TopicArn: `${snsTopic}-other` })
      expectVerdict(await post(otherTopic), 403, 'topic_not_allowed')
      const offHost = message.replace('sns.us-east-1.amazonaws.com', 'sns.us-east-1.amazonaws.com.evil.test')
      expectVerdict(await post(offHost), 401, 'invalid_signature')
      expect(server.enqueued.map((e) => [e.id, e.type])).toEqual([['sns-Notification-1', 'Notification']])
      expect(fetch.asked).toHaveLength(1)
    },
  },
  ...shopifyForms.map(
    ({ label, prefix }): ConformanceCase => ({
      name: `Shopify ${label}: accepted with the id and topic; a tampered body is refused`,
      async run(start) {
        const server = await start({ verify: [shopify({ secret: senderSecret })] })
        const headers = (content: string) => ({
          'content-type': 'application/json',
          [`${prefix}-event-id`]: `ev-${prefix}`,
          [`${prefix}-topic`]: 'orders/create',
          [`${prefix}-hmac-sha256`]: hmacOf('sha256', content, 'base64'),
        })
        expectVerdict(await send(server.url, { headers: headers(body), body }), 202, 'accepted')
        const tampered = body.replace('10.00', '0.01')
        const reply = await send(server.url, { headers: headers(body), body: tampered })
        expectVerdict(reply, 401, 'invalid_signature')
        expect(server.enqueued.map((e) => [e.id, e.type])).toEqual([[`ev-${prefix}`, 'orders/create']])
      },
    }),
  ),
]
