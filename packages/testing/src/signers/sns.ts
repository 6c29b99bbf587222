import { sign } from 'node:crypto'
import { loadPrivateKey } from '../keys.js'
import type { SignerOutput, SignInput } from '../types.js'

const defaultTopic = 'arn:aws:sns:us-east-1:123456789012:hookguard-test'
const defaultCertificate = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-hookguard-test.pem'

/**
 * AWS SNS over HTTP/S: the body is the published message, wrapped in SNS's
 * JSON envelope (`Type`, `MessageId`, `TopicArn`, `Timestamp`, …) and signed
 * as SNS signs it: RSA over the `key\nvalue\n` list of the type's fields,
 * SHA-1 (`SignatureVersion` 1, the default) or SHA-256 (2), with `privateKey`.
 * `SigningCertURL` names where its certificate is (see `snsSigningKey`).
 */
export function signSns(input: SignInput): SignerOutput {
  const given = input.options.privateKey ?? input.options.secret
  if (given === undefined) throw new TypeError('sns: privateKey is required (an RSA key; see snsSigningKey())')
  const key = loadPrivateKey(given, 'sns')
  if (key.asymmetricKeyType !== 'rsa') throw new TypeError('sns: privateKey must be an RSA key')
  const options = input.options.sns ?? {}
  const type = options.type ?? 'Notification'
  const version = options.signatureVersion ?? '1'
  if (version !== '1' && version !== '2') throw new TypeError('sns: sns.signatureVersion must be "1" or "2"')
  const topicArn = options.topicArn ?? defaultTopic
  const fields: Record<string, string> = {
    Type: type,
    MessageId: input.id,
    TopicArn: topicArn,
    Message: Buffer.from(input.bytes).toString('utf8'),
    Timestamp: new Date(input.timestamp * 1000).toISOString(),
  }
  let keys: string[]
  if (type === 'Notification') {
    if (options.subject !== undefined) fields.Subject = options.subject
    keys = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
  } else if (type === 'SubscriptionConfirmation' || type === 'UnsubscribeConfirmation') {
    fields.Token = options.token ?? 'hookguard-test-token'
    fields.SubscribeURL =
      options.subscribeUrl ??
      `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topicArn)}&Token=${fields.Token}`
    keys = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type']
  } else throw new TypeError('sns: sns.type must be Notification, SubscriptionConfirmation or UnsubscribeConfirmation')
  const text = keys
    .filter((name) => fields[name] !== undefined)
    .map((name) => `${name}\n${fields[name]}\n`)
    .join('')
  const signature = sign(version === '1' ? 'sha1' : 'sha256', Buffer.from(text), key).toString('base64')
  const message = {
    ...fields,
    SignatureVersion: version,
    Signature: signature,
    SigningCertURL: options.certificateUrl ?? defaultCertificate,
    ...(type === 'Notification'
      ? { UnsubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${topicArn}:0` }
      : {}),
  }
  return {
    headers: {
      'content-type': 'text/plain; charset=UTF-8',
      'x-amz-sns-message-type': type,
      'x-amz-sns-message-id': input.id,
      'x-amz-sns-topic-arn': topicArn,
      'user-agent': 'Amazon Simple Notification Service Agent',
    },
    body: JSON.stringify(message),
    id: input.id,
  }
}
