import { WebhookError } from '../errors.js'
import { singleHeader } from '../lib/headers.js'
import { asymmetricSignature, type SignedMessage } from '../verify/asymmetric-signature.js'
import {
  type CertificateFetch,
  type CertificateUrlOptions,
  compileHosts,
  urlProblem,
} from '../verify/certificate-keys.js'
import type { SignatureAlgorithm } from '../verify/crypto/port.js'
import {
  booleanOption,
  nonEmptyString,
  oneOrMore,
  optionError,
  positiveNumber,
  requireOptions,
  timerMs,
} from '../verify/option-checks.js'
import type { Handshake, HandshakeReply, Verifier, VerifyContext } from '../verify/verifier.js'
import { jsonReply } from './handshake-parts.js'

/** Options for {@link sns}. */
export interface SnsOptions {
  /**
   * The topics this endpoint is subscribed to, as ARNs
   * (`arn:aws:sns:us-east-1:123456789012:orders`). A message of any other
   * topic, however well signed, is 403 `topic_not_allowed`: anyone can make
   * SNS sign a message, by publishing to a topic of their own.
   */
  topicArns: string | readonly string[]
  /**
   * Confirm a `SubscriptionConfirmation` by fetching its `SubscribeURL`.
   * Default false: the request is logged (at `warn`, with the topic, never the
   * token) and answered 200, and you confirm it yourself (the console, or
   * `aws sns confirm-subscription`).
   */
  confirmSubscriptions?: boolean
  /**
   * Allowed age of a message's signed `Timestamp`, in seconds, both
   * directions. Default 3900: SNS retries a delivery with the original
   * message (and timestamp) for at most 3600 s ("the total policy retry time
   * for an HTTP/S endpoint cannot be greater than 3,600 seconds"), plus the
   * guard's usual 300 s for the clocks and the last attempt's own time.
   */
  toleranceSeconds?: number
  /**
   * The hosts `SigningCertURL` and `SubscribeURL` may point at: a pattern
   * tested against the host name, or exact names. Default
   * `/^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/` (every region, China too).
   */
  hosts?: CertificateUrlOptions['hosts']
  /** Allow `http:` URLs (a local test server). Default false. */
  allowHttp?: boolean
  /** How long fetching a certificate or confirming a subscription may take. Default 2000 ms. */
  timeoutMs?: number
  /** The fetch for certificates and confirmations. Default `globalThis.fetch`; tests pass one of their own. */
  fetch?: CertificateFetch
}

/** Every region's SNS endpoint, and China's. */
export const snsHosts = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/

const messageTypes = ['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation'] as const
type MessageType = (typeof messageTypes)[number]

/** What SNS signs, per type, in this order, as `key\nvalue\n` (AWS: "Verifying the signatures of Amazon SNS messages"). */
const signedKeys: Record<MessageType, readonly string[]> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
}
/** Keys a message may leave out: a notification published without a subject has none. */
const optionalKeys = new Set(['Subject'])

const algorithmOf: Record<string, SignatureAlgorithm> = { '1': 'rsa-pkcs1-sha1', '2': 'rsa-pkcs1-sha256' }
const isoTimestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/
const decoder = new TextDecoder()

/** An SNS message whose signature passed. */
interface SnsMessage {
  type: MessageType
  topicArn: string
  subscribeUrl: string | undefined
}

/**
 * Verifies AWS SNS HTTP/HTTPS deliveries: the JSON body's `Signature`, an RSA
 * signature (SHA-1 for `SignatureVersion` 1, SHA-256 for 2) of the
 * documented `key\nvalue\n` list of its fields, checked with the key of the
 * X.509 certificate at `SigningCertURL`, fetched only from an SNS host over
 * HTTPS and cached per URL (a fetch that fails is 503 `keys_unavailable`, so
 * SNS retries). The message's `TopicArn` must be one of `topicArns` (else 403
 * `topic_not_allowed`), its `Timestamp` within `toleranceSeconds` (default
 * 3900 s: SNS's 1-hour retry limit and 5 minutes). The event id is the signed `MessageId` (a retry keeps it), the type
 * the signed `Type` (`Notification`); the payload is the whole message, the
 * published text in `payload.Message`. `x-amz-sns-message-type`, when sent,
 * must agree with `Type` (else 400 `invalid_body`).
 *
 * `SubscriptionConfirmation` and `UnsubscribeConfirmation` messages are
 * handshakes, answered 200 once their signature passed, never deduped or
 * enqueued. A subscription is confirmed (its `SubscribeURL` fetched, on an SNS
 * host only) when `confirmSubscriptions` is true; a confirmation that fails is
 * 503 `confirmation_failed`, so SNS sends it again. Otherwise it is logged at
 * `warn`, with the topic. Raw message delivery must be off: a raw message
 * carries no signature, and is refused.
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   verify: [sns({ topicArns: 'arn:aws:sns:us-east-1:123456789012:orders', confirmSubscriptions: true })],
 *   enqueue: async (event) => queue.add('sns', event),
 * })
 * ```
 */
export function sns(options: SnsOptions): Verifier {
  requireOptions(options, 'sns')
  const topics = new Set(
    oneOrMore(options.topicArns, 'sns', 'topicArns').map((arn, i) => {
      const text = nonEmptyString(arn, 'sns', `topicArns[${i}]`)
      if (!text.startsWith('arn:')) throw optionError('sns', `topicArns[${i}]`, 'a topic ARN (arn:aws:sns:…)')
      return text
    }),
  )
  const confirm = booleanOption(options.confirmSubscriptions ?? false, 'sns', 'confirmSubscriptions')
  const tolerance = positiveNumber(options.toleranceSeconds ?? 3900, 'sns', 'toleranceSeconds')
  const hosts = compileHosts(options.hosts ?? snsHosts, 'sns', 'hosts')
  const allowHttp = booleanOption(options.allowHttp ?? false, 'sns', 'allowHttp')
  const timeoutMs = timerMs(options.timeoutMs ?? 2_000, 'sns', 'timeoutMs')
  const fetchUrl = options.fetch ?? (globalThis.fetch as CertificateFetch | undefined)
  if (typeof fetchUrl !== 'function') throw optionError('sns', 'fetch', 'a function')
  // The message each request carries, for the handshake's answer to the same request (the same context
  // object); it answers only once verify passed.
  const messages = new WeakMap<VerifyContext, SnsMessage>()

  const signature = asymmetricSignature({
    name: 'sns',
    algorithm: ['rsa-pkcs1-sha1', 'rsa-pkcs1-sha256'],
    encoding: 'base64',
    certificateUrl: { hosts, allowHttp, timeoutMs, fetch: fetchUrl },
    toleranceSeconds: tolerance,
    keepHeaders: [
      'x-amz-sns-message-type',
      'x-amz-sns-message-id',
      'x-amz-sns-topic-arn',
      'x-amz-sns-subscription-arn',
    ],
    signedMessage: (ctx) => {
      const { signed, message } = readMessage(ctx, topics)
      messages.set(ctx, message)
      return signed
    },
  })
  const confirmation: Handshake = {
    signed: true,
    mayBe: () => true,
    answer: (ctx) => {
      const message = messages.get(ctx)
      if (message === undefined || message.type === 'Notification') return undefined
      if (message.type === 'UnsubscribeConfirmation') {
        return warned('SNS subscription ended (UnsubscribeConfirmation); nothing enqueued', message)
      }
      if (!confirm) {
        return warned(
          'SNS SubscriptionConfirmation not confirmed (confirmSubscriptions is off): confirm it in the console',
          message,
        )
      }
      return confirmSubscription(message, { hosts, allowHttp, timeoutMs, fetch: fetchUrl })
    },
  }
  return { ...signature, handshakes: [confirmation] }
}

/** The signed message SNS sent, read from the body; what cannot be one is refused before any fetch. */
function readMessage(ctx: VerifyContext, topics: ReadonlySet<string>): { signed: SignedMessage; message: SnsMessage } {
  const fields = parseFields(ctx.body)
  const { Signature, SignatureVersion, SigningCertURL, Type, TopicArn, Timestamp, MessageId } = fields
  if (typeof Signature !== 'string' || typeof SigningCertURL !== 'string' || SignatureVersion === undefined) {
    throw new WebhookError('missing_signature', 'no Signature, SignatureVersion or SigningCertURL (raw delivery on?)')
  }
  const algorithm = typeof SignatureVersion === 'string' ? algorithmOf[SignatureVersion] : undefined
  if (algorithm === undefined) throw new WebhookError('invalid_signature', 'SignatureVersion is not "1" or "2"')
  if (!messageTypes.includes(Type as MessageType)) throw new WebhookError('invalid_signature', 'unknown Type')
  const type = Type as MessageType
  const declared = singleHeader(ctx.headers, 'x-amz-sns-message-type')
  if (declared !== undefined && declared !== type) {
    throw new WebhookError('invalid_body', 'x-amz-sns-message-type differs from the signed Type')
  }
  if (typeof TopicArn !== 'string' || !topics.has(TopicArn)) {
    throw new WebhookError('topic_not_allowed', 'TopicArn is not one of topicArns')
  }
  if (typeof Timestamp !== 'string' || !isoTimestamp.test(Timestamp) || Number.isNaN(Date.parse(Timestamp))) {
    throw new WebhookError('invalid_timestamp', 'Timestamp is not an ISO 8601 UTC time')
  }
  const signed: SignedMessage = {
    signature: Signature,
    signed: [stringToSign(fields, type)],
    algorithm,
    certificateUrl: SigningCertURL,
    timestampMs: Date.parse(Timestamp),
    type,
  }
  if (typeof MessageId === 'string') signed.id = MessageId
  const subscribeUrl = typeof fields.SubscribeURL === 'string' ? fields.SubscribeURL : undefined
  return { signed, message: { type, topicArn: TopicArn, subscribeUrl } }
}

/** The body as an object of fields; anything else is 400 `invalid_json`. */
function parseFields(body: Uint8Array): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(decoder.decode(body))
  } catch {
    throw new WebhookError('invalid_json', 'the body is not JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new WebhookError('invalid_json', 'the body is not a JSON object')
  }
  return value as Record<string, unknown>
}

/** `key\nvalue\n` for each signed key of the type, in order; a subject that is absent (or null) is left out. */
function stringToSign(fields: Record<string, unknown>, type: MessageType): string {
  let text = ''
  for (const key of signedKeys[type]) {
    const value = fields[key]
    if ((value === undefined || value === null) && optionalKeys.has(key)) continue
    if (typeof value !== 'string') throw new WebhookError('invalid_signature', `signed field ${key} is missing`)
    text += `${key}\n${value}\n`
  }
  return text
}

/** 200 and a warning for the operator, naming the topic (never the token or the URL, which holds it). */
function warned(message: string, sns: SnsMessage): HandshakeReply {
  return { ...handshakeBody, warning: { message, fields: { type: sns.type, topicArn: sns.topicArn } } }
}

const handshakeBody = jsonReply({ status: 200, code: 'handshake' })

/** Confirms the subscription: a GET of its `SubscribeURL`, on an allowed host, within the timeout; else 503. */
async function confirmSubscription(
  message: SnsMessage,
  options: { hosts: readonly (RegExp | string)[]; allowHttp: boolean; timeoutMs: number; fetch: CertificateFetch },
): Promise<HandshakeReply> {
  const url = allowedSubscribeUrl(message.subscribeUrl, options.hosts, options.allowHttp)
  const controller = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort()
      reject(new Error(`timed out after ${options.timeoutMs} ms`))
    }, options.timeoutMs)
  })
  try {
    const fetched = options.fetch(url, { signal: controller.signal, redirect: 'error' })
    fetched.catch(() => {}) // settled after the timeout, it is no one's
    const response = await Promise.race([fetched, timeout])
    if (!response.ok) throw new Error(`HTTP ${response.status}`)
  } catch (error) {
    const why = error instanceof Error ? error.message : 'non-error thrown'
    throw new WebhookError('confirmation_failed', `confirming ${message.topicArn} failed: ${why}`)
  } finally {
    clearTimeout(timer)
  }
  return handshakeBody
}

/** The `SubscribeURL` when it points at an allowed host (it holds the token: never in a log); else 400. */
function allowedSubscribeUrl(
  text: string | undefined,
  hosts: readonly (RegExp | string)[],
  allowHttp: boolean,
): string {
  let url: URL | undefined
  try {
    url = text === undefined ? undefined : new URL(text)
  } catch {
    url = undefined
  }
  const problem = url === undefined ? 'is not a URL' : urlProblem(url, hosts, allowHttp)
  if (problem !== undefined) throw new WebhookError('invalid_challenge', `SubscribeURL ${problem}`)
  return (url as URL).href
}
