import { sign } from 'node:crypto'
import { globalAgent } from 'node:https'
import MessageValidator from 'sns-validator'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type CertServer, startCertServer } from '../../test-support/cert-server.js'
import { makeSigningCertificate } from '../../test-support/certs.js'
import { createGuard } from '../guard.js'
import type { Logger, WebhookEvent } from '../types.js'
import { type SnsOptions, sns } from './sns.js'

// The reference is sns-validator, AWS SNS's de facto Node validator. It fetches the certificate itself, with
// https.get and the global agent: it is pointed at the same local server, trusting its CA, and at 127.0.0.1
// with its hostPattern (which it tests against host:port). It keeps certificates in a module-level cache, so
// each key has its own URL.
const topic = 'arn:aws:sns:us-east-1:123456789012:orders'
const signing = makeSigningCertificate()
const stranger = makeSigningCertificate()
const nowMs = Date.parse('2026-03-01T12:00:00.000Z')
let server: CertServer
let certUrl: string

beforeAll(async () => {
  server = await startCertServer()
  server.routes.set('/SimpleNotificationService-a.pem', { body: signing.cert })
  server.routes.set('/confirm', { body: '<ConfirmSubscriptionResponse/>' })
  server.routes.set('/confirm-fails', { status: 500, body: 'no' })
  server.routes.set('/confirm-slow', { body: 'late', delayMs: 400 })
  certUrl = `${server.origin}/SimpleNotificationService-a.pem`
})
afterAll(() => server.close())

type Fields = Record<string, string>

/** Signs a message as SNS does: `key\nvalue\n` over the type's keys, RSA SHA-1 (version 1) or SHA-256 (2). */
function signed(fields: Fields, options: { version?: '1' | '2'; key?: string } = {}): Fields {
  const version = options.version ?? '1'
  const keys =
    fields.Type === 'Notification'
      ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type']
  const text = keys
    .filter((k) => fields[k] !== undefined)
    .map((k) => `${k}\n${fields[k]}\n`)
    .join('')
  const signature = sign(version === '1' ? 'sha1' : 'sha256', Buffer.from(text), options.key ?? signing.key)
  const present = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined))
  return {
    SigningCertURL: certUrl,
    ...present,
    SignatureVersion: version,
    Signature: signature.toString('base64'),
  }
}

function notification(extra: Fields = {}): Fields {
  return {
    Type: 'Notification',
    MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
    TopicArn: topic,
    Subject: 'My First Message',
    Message: 'Hello world!\nwith "quotes" and ünïcode',
    Timestamp: '2026-03-01T11:59:30.123Z',
    UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x',
    ...extra,
  }
}

function confirmation(type = 'SubscriptionConfirmation', path = '/confirm'): Fields {
  return {
    Type: type,
    MessageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b',
    Token:
      '2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736',
    TopicArn: topic,
    Message: `You have chosen to subscribe to the topic ${topic}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
    SubscribeURL: `${server.origin}${path}`,
    Timestamp: '2026-03-01T11:59:50.000Z',
  }
}

/** What sns-validator says of a message: true when it validates. */
function reference(message: Fields): Promise<boolean> {
  globalAgent.options.ca = server.ca
  return new Promise((resolve) =>
    new MessageValidator(/^127\.0\.0\.1:\d+$/).validate({ ...message }, (error) => {
      delete globalAgent.options.ca
      resolve(error === null || error === undefined)
    }),
  )
}

interface Sent {
  status: number
  code: string
  events: WebhookEvent[]
  warnings: Record<string, unknown>[]
  body: string
  retryAfter: string | null
}

async function send(message: Fields | string, options: Partial<SnsOptions> = {}, headers: Fields = {}): Promise<Sent> {
  const events: WebhookEvent[] = []
  const warnings: Record<string, unknown>[] = []
  const keep = () => {}
  const logger: Logger = { info: keep, error: keep, warn: (record) => void warnings.push(record as never) }
  const guard = createGuard({
    verify: [sns({ topicArns: topic, hosts: ['127.0.0.1'], fetch: server.fetch, ...options })],
    enqueue: (e) => void events.push(e),
    now: () => nowMs,
    logger,
  })
  const body = typeof message === 'string' ? message : JSON.stringify(message)
  const type = typeof message === 'string' ? undefined : message.Type
  const response = await guard.handle(
    new Request('http://hooks.test/sns', {
      method: 'POST',
      body,
      headers: {
        'content-type': 'text/plain; charset=UTF-8',
        ...(type ? { 'x-amz-sns-message-type': type } : {}),
        ...headers,
      },
    }),
  )
  const text = await response.text()
  return {
    status: response.status,
    code: (JSON.parse(text) as { code: string }).code,
    events,
    warnings: warnings.filter((w) => 'topicArn' in w || 'type' in w),
    body: text,
    retryAfter: response.headers.get('retry-after'),
  }
}

const hits = (path: string) => server.hits.get(path) ?? 0

describe('sns preset, against sns-validator', () => {
  test.each([
    ['version 1 (SHA-1)', () => signed(notification())],
    ['version 2 (SHA-256)', () => signed(notification(), { version: '2' })],
    ['no Subject', () => signed(notification({ Subject: undefined as never }))],
  ])('a notification, %s: both accept; the event is the signed MessageId and Type', async (_, make) => {
    const message = make()
    expect(await reference(message)).toBe(true)
    const sent = await send(message)
    expect({ status: sent.status, code: sent.code }).toEqual({ status: 202, code: 'accepted' })
    expect(sent.events[0]).toMatchObject({
      id: message.MessageId,
      type: 'Notification',
      timestamp: Math.floor(Date.parse(message.Timestamp as string) / 1000),
    })
    expect(sent.events[0]?.payload).toMatchObject({ Message: message.Message })
  })

  test('a subscription confirmation: both accept its signature', async () => {
    const message = signed(confirmation(), { version: '2' })
    expect(await reference(message)).toBe(true)
    expect((await send(message)).status).toBe(200)
  })

  test.each([
    {
      name: 'a changed Message',
      change: (m: Fields): Fields => ({ ...m, Message: `${m.Message}!` }),
      status: 401,
      code: 'invalid_signature',
    },
    {
      name: 'a changed Subject',
      change: (m: Fields): Fields => ({ ...m, Subject: 'Other' }),
      status: 401,
      code: 'invalid_signature',
    },
    {
      name: 'a changed MessageId',
      change: (m: Fields): Fields => ({ ...m, MessageId: 'other-id' }),
      status: 401,
      code: 'invalid_signature',
    },
    {
      name: 'a Subject added',
      change: (m: Fields): Fields => signedWithout(m, 'Subject'),
      status: 401,
      code: 'invalid_signature',
    },
    {
      name: 'a wrong key',
      change: (m: Fields): Fields => ({
        ...m,
        Signature: String(signed(notification(), { key: stranger.key }).Signature),
      }),
      status: 401,
      code: 'invalid_signature',
    },
    {
      name: 'version 2 claimed for a SHA-1 signature',
      change: (m: Fields): Fields => ({ ...m, SignatureVersion: '2' }),
      status: 401,
      code: 'invalid_signature',
    },
    {
      name: 'an unknown SignatureVersion',
      change: (m: Fields): Fields => ({ ...m, SignatureVersion: '3' }),
      status: 401,
      code: 'invalid_signature',
    },
    {
      name: 'a certificate on another host',
      change: (m: Fields): Fields => ({
        ...m,
        SigningCertURL: String(m.SigningCertURL).replace('127.0.0.1', 'localhost'),
      }),
      status: 401,
      code: 'invalid_signature',
    },
    {
      name: 'a certificate over http',
      change: (m: Fields): Fields => ({ ...m, SigningCertURL: String(m.SigningCertURL).replace('https:', 'http:') }),
      status: 401,
      code: 'invalid_signature',
    },
    {
      name: 'a certificate URL that is not .pem',
      change: (m: Fields): Fields => ({ ...m, SigningCertURL: `${m.SigningCertURL}.txt` }),
      status: 401,
      code: 'invalid_signature',
    },
    {
      name: 'no Signature',
      change: (m: Fields): Fields => ({ ...m, Signature: undefined as never }),
      status: 401,
      code: 'missing_signature',
    },
  ])('$name: both refuse; the guard answers $status $code', async ({ change, status, code }) => {
    const message = change(signed(notification()))
    expect(await reference(message)).toBe(false)
    const sent = await send(message)
    expect({ status: sent.status, code: sent.code, events: sent.events }).toEqual({ status, code, events: [] })
  })

  test('a stale message: sns-validator checks no time and accepts it; the guard refuses it past toleranceSeconds', async () => {
    const stale = signed(notification({ Timestamp: '2026-03-01T10:54:59.000Z' }))
    expect(await reference(stale)).toBe(true)
    expect(await send(stale)).toMatchObject({ status: 401, code: 'timestamp_too_old' })
    expect(await send(stale, { toleranceSeconds: 7200 })).toMatchObject({ status: 202 })
    const future = signed(notification({ Timestamp: '2026-03-01T13:05:01.000Z' }))
    expect(await send(future)).toMatchObject({ status: 401, code: 'timestamp_too_new' })
    expect(await send(signed(notification({ Timestamp: '1 March 2026' })))).toMatchObject({ code: 'invalid_timestamp' })
  })

  test('UnsubscribeConfirmation: the guard signs Token as AWS documents; sns-validator (notification keys) disagrees', async () => {
    const message = signed(confirmation('UnsubscribeConfirmation'))
    expect(await reference(message)).toBe(false)
    const sent = await send(message)
    expect({ status: sent.status, code: sent.code, events: sent.events }).toEqual({
      status: 200,
      code: 'handshake',
      events: [],
    })
    expect(sent.warnings).toEqual([{ verifier: 'sns', type: 'UnsubscribeConfirmation', topicArn: topic }])
  })
})

function signedWithout(message: Fields, key: string): Fields {
  const { [key]: _, Signature, SignatureVersion, SigningCertURL, ...rest } = message
  return { ...signed(rest as Fields), [key]: 'Added' }
}

describe('sns preset: topics, headers, bodies', () => {
  test('a well-signed message of another topic is 403 topic_not_allowed, before any certificate fetch', async () => {
    const before = hits('/SimpleNotificationService-a.pem')
    const other = signed(notification({ TopicArn: 'arn:aws:sns:us-east-1:999999999999:theirs' }))
    expect(await send(other)).toMatchObject({ status: 403, code: 'topic_not_allowed', events: [] })
    expect(hits('/SimpleNotificationService-a.pem')).toBe(before)
  })

  test('x-amz-sns-message-type must agree with the signed Type; a raw (unsigned) delivery is refused', async () => {
    const message = signed(notification())
    expect(await send(message, {}, { 'x-amz-sns-message-type': 'SubscriptionConfirmation' })).toMatchObject({
      status: 400,
      code: 'invalid_body',
    })
    expect(await send('Hello world!')).toMatchObject({ status: 400, code: 'invalid_json' })
    expect(await send({ Message: 'Hello world!' } as Fields)).toMatchObject({ status: 401, code: 'missing_signature' })
  })

  test('a retry of the same message is a duplicate; the certificate is fetched once for many messages', async () => {
    const events: WebhookEvent[] = []
    const guard = createGuard({
      verify: [sns({ topicArns: [topic], hosts: ['127.0.0.1'], fetch: server.fetch })],
      enqueue: (e) => void events.push(e),
      now: () => nowMs,
    })
    const post = (message: Fields) =>
      guard.handle(new Request('http://hooks.test/sns', { method: 'POST', body: JSON.stringify(message) }))
    const before = hits('/SimpleNotificationService-a.pem')
    const messages = Array.from({ length: 8 }, (_, i) =>
      signed(notification({ MessageId: `m-${i}` }), { version: '2' }),
    )
    const statuses = await Promise.all(messages.map(async (m) => (await post(m)).status))
    expect(statuses).toEqual(Array(8).fill(202))
    expect((await post(messages[0] as Fields)).status).toBe(200)
    expect(events).toHaveLength(8)
    expect(hits('/SimpleNotificationService-a.pem') - before).toBe(1)
  })

  test('the certificate server down: 503 keys_unavailable with Retry-After', async () => {
    const message = signed({ ...notification(), SigningCertURL: `${server.origin}/gone.pem` } as Fields)
    const sent = await send({ ...message, SigningCertURL: `${server.origin}/gone.pem` })
    expect(sent).toMatchObject({ status: 503, code: 'keys_unavailable', events: [] })
    expect(sent.retryAfter).not.toBeNull()
  })

  test('options are checked at creation', () => {
    expect(() => sns({} as SnsOptions)).toThrow('sns: topicArns must be given')
    expect(() => sns({ topicArns: 'orders' })).toThrow('sns: topicArns[0] must be a topic ARN')
    expect(() => sns({ topicArns: topic, toleranceSeconds: 0 })).toThrow('sns: toleranceSeconds')
    expect(() => sns({ topicArns: topic, confirmSubscriptions: 'yes' as never })).toThrow('sns: confirmSubscriptions')
    expect(() => sns({ topicArns: topic, hosts: [] })).toThrow('sns: hosts must be')
  })
})

describe('sns preset: the subscription handshake', () => {
  test('confirmSubscriptions off: 200, nothing enqueued, nothing fetched, a warning with the topic and no token', async () => {
    const before = hits('/confirm')
    const message = signed(confirmation())
    const sent = await send(message)
    expect({ status: sent.status, code: sent.code, events: sent.events }).toEqual({
      status: 200,
      code: 'handshake',
      events: [],
    })
    expect(hits('/confirm')).toBe(before)
    expect(sent.warnings).toEqual([{ verifier: 'sns', type: 'SubscriptionConfirmation', topicArn: topic }])
    expect(JSON.stringify(sent.warnings)).not.toContain(message.Token)
  })

  test('confirmSubscriptions on: SubscribeURL fetched exactly once, then 200; a failure is 503 confirmation_failed', async () => {
    const before = hits('/confirm')
    const sent = await send(signed(confirmation()), { confirmSubscriptions: true })
    expect({ status: sent.status, code: sent.code, events: sent.events, warnings: sent.warnings }).toEqual({
      status: 200,
      code: 'handshake',
      events: [],
      warnings: [],
    })
    expect(hits('/confirm') - before).toBe(1)
    const failed = await send(signed(confirmation('SubscriptionConfirmation', '/confirm-fails')), {
      confirmSubscriptions: true,
    })
    expect(failed).toMatchObject({ status: 503, code: 'confirmation_failed', events: [] })
    expect(failed.retryAfter).not.toBeNull()
    const slow = await send(signed(confirmation('SubscriptionConfirmation', '/confirm-slow')), {
      confirmSubscriptions: true,
      timeoutMs: 50,
    })
    expect(slow).toMatchObject({ status: 503, code: 'confirmation_failed' })
  })

  test('a SubscribeURL off the allowed hosts is never fetched (400 invalid_challenge); a forged confirmation is 401', async () => {
    const offHost = { ...confirmation(), SubscribeURL: 'https://evil.test/confirm' }
    expect(await send(signed(offHost), { confirmSubscriptions: true })).toMatchObject({
      status: 400,
      code: 'invalid_challenge',
    })
    const before = hits('/confirm')
    const forged = { ...signed(confirmation()), Token: 'x' }
    expect(await send(forged, { confirmSubscriptions: true })).toMatchObject({ status: 401, code: 'invalid_signature' })
    expect(hits('/confirm')).toBe(before)
  })
})
