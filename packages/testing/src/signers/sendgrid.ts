import { createHash, sign } from 'node:crypto'
import { loadPrivateKey } from '../keys.js'
import type { SignerOutput, SignInput } from '../types.js'

/**
 * SendGrid's signed Event Webhook: `X-Twilio-Email-Event-Webhook-Signature`,
 * the base64 DER ECDSA P-256 / SHA-256 signature of the timestamp followed by
 * the body, made with `privateKey` (or `secret`, a PEM key), and the timestamp
 * in `X-Twilio-Email-Event-Webhook-Timestamp`. The id is the body's SHA-256.
 */
export function signSendgrid(input: SignInput): SignerOutput {
  const given = input.options.privateKey ?? input.options.secret
  if (given === undefined) throw new TypeError('sendgrid: privateKey is required (an EC P-256 key)')
  const key = loadPrivateKey(given, 'sendgrid')
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new TypeError('sendgrid: privateKey must be an EC P-256 key')
  }
  const timestamp = String(input.timestamp)
  const signature = sign('sha256', Buffer.concat([Buffer.from(timestamp), input.bytes]), key).toString('base64')
  return {
    headers: {
      'x-twilio-email-event-webhook-signature': signature,
      'x-twilio-email-event-webhook-timestamp': timestamp,
    },
    id: createHash('sha256').update(input.bytes).digest('hex'),
  }
}
