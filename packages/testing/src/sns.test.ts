import { X509Certificate } from 'node:crypto'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createGuard, sns, type WebhookEvent } from '@hookguard/core'
import { describe, expect, test } from 'vitest'
import type { CliIo } from './cli/io.js'
import { main } from './cli/main.js'
import { signRequest } from './sign-request.js'
import { snsSigningKey } from './sns-certificate.js'
import type { SignedRequest } from './types.js'

const topic = 'arn:aws:sns:eu-west-1:123456789012:orders'
const key = snsSigningKey()

async function through(signed: SignedRequest, confirmSubscriptions = false) {
  const events: WebhookEvent[] = []
  const guard = createGuard({
    verify: [sns({ topicArns: topic, fetch: key.fetch, confirmSubscriptions })],
    enqueue: (event) => void events.push(event),
  })
  const response = await guard.handle(new Request('https://hooks.example.com/sns', signed))
  return { status: response.status, events }
}

describe('signRequest and the CLI: sns (an RSA key and its self-signed certificate)', () => {
  test('the certificate is a valid X.509 certificate of the key, self-signed', () => {
    const certificate = new X509Certificate(key.certificate)
    expect(certificate.verify(certificate.publicKey)).toBe(true)
    expect(certificate.subject).toBe('CN=sns.amazonaws.com')
  })

  test.each(['1', '2'] as const)('a notification, SignatureVersion %s, is accepted with its MessageId', async (v) => {
    const signed = await signRequest('sns', {
      privateKey: key.privateKey,
      body: 'order 42 paid',
      sns: { topicArn: topic, signatureVersion: v, subject: 'Order' },
    })
    const { status, events } = await through(signed)
    expect(status).toBe(202)
    expect(events[0]).toMatchObject({ id: signed.id, type: 'Notification', payload: { Message: 'order 42 paid' } })
    const other = await signRequest('sns', {
      privateKey: snsSigningKey().privateKey,
      body: 'x',
      sns: { topicArn: topic },
    })
    expect((await through(other)).status).toBe(401)
  })

  test('a SubscriptionConfirmation is a handshake; with confirmSubscriptions its SubscribeURL is fetched once', async () => {
    const signed = await signRequest('sns', {
      privateKey: key.privateKey,
      body: 'You have chosen to subscribe to the topic',
      sns: { topicArn: topic, type: 'SubscriptionConfirmation', token: 't0k3n' },
    })
    expect(await through(signed)).toEqual({ status: 200, events: [] })
    expect(key.fetch.confirmed).toEqual([])
    expect(await through(signed, true)).toEqual({ status: 200, events: [] })
    expect(key.fetch.confirmed).toHaveLength(1)
    expect(key.fetch.confirmed[0]).toContain('Token=t0k3n')
  })

  test('hookguard sign --preset sns --private-key @key.pem --topic-arn …', async () => {
    const stdout: string[] = []
    const io: CliIo = {
      out: (t) => void stdout.push(t),
      err: () => {},
      isTTY: false,
      readStdin: async () => new Uint8Array(),
      env: {},
    }
    const keyFile = join(await mkdtemp(join(tmpdir(), 'hookguard-sns-')), 'key.pem')
    await writeFile(keyFile, key.privateKey)
    const args = ['sign', '--preset', 'sns', '--private-key', `@${keyFile}`, '--topic-arn', topic, '--body', 'hi']
    expect(await main([...args, '--json'], io)).toBe(0)
    const signed = JSON.parse(stdout.join('')) as SignedRequest
    expect((await through(signed)).status).toBe(202)
  })
})
