import type { SignerOutput, SignInput } from '../types.js'
import { signToken } from './jwt.js'

/**
 * Google Cloud Pub/Sub push with authentication: the body is wrapped in the
 * push envelope (`message.data` is the base64 of the given body,
 * `message.messageId` the id), and an RS256 OIDC token signed with
 * `privateKey` goes in `Authorization: Bearer`: issuer
 * `https://accounts.google.com`, audience `audience` (default `url`), `email`
 * the service account, `email_verified` true, one hour to `exp`.
 */
export async function signGooglePubSub(input: SignInput): Promise<SignerOutput> {
  const { options, id, timestamp, bytes } = input
  if (options.privateKey === undefined) throw new TypeError('google-pubsub: privateKey is required (an RSA key)')
  const audience = options.audience ?? options.url
  if (audience === undefined) throw new TypeError('google-pubsub: audience or url is required')
  const email = options.serviceAccountEmail ?? 'pusher@test-project.iam.gserviceaccount.com'
  const token = await signToken(
    {
      ...input,
      options: {
        ...options,
        secret: undefined,
        algorithm: options.algorithm ?? 'RS256',
        issuer: options.issuer ?? 'https://accounts.google.com',
        audience,
        subject: options.subject ?? '113774264463038321964',
        claims: { azp: '113774264463038321964', email, email_verified: true, ...options.claims },
      },
    },
    'google-pubsub',
    { expiresInSeconds: 3600 },
  )
  const publishTime = new Date(timestamp * 1000).toISOString()
  const envelope = {
    message: {
      ...(options.attributes === undefined ? {} : { attributes: options.attributes }),
      data: Buffer.from(bytes).toString('base64'),
      messageId: id,
      message_id: id,
      publishTime,
      publish_time: publishTime,
    },
    subscription: options.subscription ?? 'projects/test-project/subscriptions/test-push',
  }
  return {
    headers: {
      authorization: `Bearer ${token}`,
      'user-agent': 'APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)',
    },
    body: JSON.stringify(envelope),
    id,
  }
}
