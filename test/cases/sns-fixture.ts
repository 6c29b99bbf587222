import { sign } from 'node:crypto'
import { type CertificateFetch, sns } from '@hookguard/core'
import { makeSigningCertificate } from '../../packages/core/test-support/certs.js'
import { nowSeconds } from './support.js'

// AWS SNS messages for the cross-adapter cases, signed here as SNS signs them (plain node:crypto, not the
// code under test), with the certificate served by an in-memory fetch that counts what it was asked.
export const snsTopic = 'arn:aws:sns:us-east-1:123456789012:conformance'
const signing = makeSigningCertificate()
const certificateUrl = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-conformance.pem'

/** A fetch for `sns({ fetch })`: the certificate for its URL, 200 for a SubscribeURL; `asked` lists every URL. */
export function snsFetch(): CertificateFetch & { asked: string[] } {
  const asked: string[] = []
  const fetch = async (url: string) => {
    asked.push(url)
    if (url === certificateUrl) return { ok: true, status: 200, text: async () => signing.cert }
    if (url.includes('Action=ConfirmSubscription')) return { ok: true, status: 200, text: async () => '<ok/>' }
    return { ok: false, status: 404, text: async () => '' }
  }
  return Object.assign(fetch, { asked })
}

/** The preset as the cases configure it: the default SNS host allowlist, the counting fetch. */
export function snsVerifier(fetch: CertificateFetch, confirmSubscriptions = false) {
  return sns({ topicArns: snsTopic, fetch, confirmSubscriptions })
}

/** An SNS message of `type`, signed (SignatureVersion 2) at the guard's clock, as the JSON body SNS posts. */
export function snsMessage(type: string, fields: Record<string, string> = {}): string {
  const message: Record<string, string> = {
    Type: type,
    MessageId: `sns-${type}-1`,
    TopicArn: snsTopic,
    Message: type === 'Notification' ? '{"order":42,"total_price":"10.00"}' : 'You have chosen to subscribe.',
    Timestamp: new Date((nowSeconds - 2) * 1000).toISOString(),
    ...(type === 'Notification'
      ? {}
      : {
          Token: 'conformance-token-0123456789',
          SubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${snsTopic}&Token=conformance-token-0123456789`,
        }),
    ...fields,
  }
  const keys =
    type === 'Notification'
      ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type']
  const text = keys
    .filter((k) => message[k] !== undefined)
    .map((k) => `${k}\n${message[k]}\n`)
    .join('')
  const signature = sign('sha256', Buffer.from(text), signing.key).toString('base64')
  return JSON.stringify({ ...message, SignatureVersion: '2', Signature: signature, SigningCertURL: certificateUrl })
}

/** The headers SNS sends with a message. */
export function snsHeaders(type: string): Record<string, string> {
  return { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': type }
}
