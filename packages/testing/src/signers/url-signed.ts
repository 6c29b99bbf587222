import { createHash, randomBytes } from 'node:crypto'
import { payloadString } from '../body.js'
import { hmac, requireSecret } from '../keys.js'
import type { SignerOutput, SignInput } from '../types.js'

const decoder = new TextDecoder()

/** The URL the sender signs: `signedUrl`, else `url`; one of them is required. */
function signedUrlOf(input: SignInput, preset: string): string {
  const url = input.options.signedUrl ?? input.options.url
  if (url === undefined) throw new TypeError(`${preset}: url (or signedUrl) is required: the sender signs it`)
  return url
}

/** Form parameters from a JSON object (arrays repeat a name) or from form text. */
function formOf(body: SignInput['options']['body'], bytes: Uint8Array): URLSearchParams {
  if (body !== null && typeof body === 'object' && !(body instanceof Uint8Array) && !Array.isArray(body)) {
    const params = new URLSearchParams()
    for (const [name, value] of Object.entries(body)) {
      for (const one of Array.isArray(value) ? value : [value]) params.append(name, String(one))
    }
    return params
  }
  return new URLSearchParams(decoder.decode(bytes))
}

/**
 * Twilio: `X-Twilio-Signature`, the base64 HMAC-SHA1 (keyed with the Auth
 * Token) of the URL Twilio requests followed by the POST parameters sorted by
 * name. A JSON object body is sent form-encoded; with `contentType:
 * 'application/json'` the body is sent as JSON and signed through the
 * `bodySHA256` query parameter added to the URL. The id is
 * `I-Twilio-Idempotency-Token`.
 */
export function signTwilio(input: SignInput): SignerOutput {
  const secret = requireSecret(input.options.secret, 'twilio')
  const signedUrl = signedUrlOf(input, 'twilio')
  const headers = { 'i-twilio-idempotency-token': input.id, 'user-agent': 'TwilioProxy/1.1' }
  if (input.options.contentType?.startsWith('application/json')) {
    const hash = createHash('sha256').update(input.bytes).digest('hex')
    const withHash = (url: string) => `${url}${url.includes('?') ? '&' : '?'}bodySHA256=${hash}`
    return {
      headers: { ...headers, 'x-twilio-signature': hmac('sha1', secret, [withHash(signedUrl)], 'base64') },
      ...(input.options.url === undefined ? {} : { url: withHash(input.options.url) }),
      id: input.id,
    }
  }
  const params = formOf(input.options.body, input.bytes)
  const names = [...new Set(params.keys())].sort()
  let signed = signedUrl
  for (const name of names) for (const value of [...new Set(params.getAll(name))].sort()) signed += name + value
  return {
    headers: {
      ...headers,
      'content-type': 'application/x-www-form-urlencoded; charset=UTF-8',
      'x-twilio-signature': hmac('sha1', secret, [signed], 'base64'),
    },
    body: params.toString(),
    id: input.id,
  }
}

/** The escapes HubSpot undoes in the URI before it signs it. */
const hubspotEscapes: Readonly<Record<string, string>> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
}

/**
 * HubSpot signature v3: `X-HubSpot-Signature-v3`, the base64 HMAC-SHA256
 * (keyed with the client secret) of `POST`, the URI (the escapes HubSpot
 * lists undone), the body and `X-HubSpot-Request-Timestamp` (Unix ms). The
 * receiver's id is the body's SHA-256.
 */
export function signHubspot(input: SignInput): SignerOutput {
  const secret = requireSecret(input.options.secret, 'hubspot')
  const uri = signedUrlOf(input, 'hubspot').replace(/%(?:3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (sequence) => {
    return hubspotEscapes[sequence.toUpperCase()] as string
  })
  const ms = String(input.timestamp * 1000)
  return {
    headers: {
      'x-hubspot-signature-v3': hmac('sha256', secret, ['POST', uri, input.bytes, ms], 'base64'),
      'x-hubspot-request-timestamp': ms,
      'user-agent': 'HubSpot Connect 2.0 (http://dev.hubspot.com/)',
    },
    id: `body-sha256:${createHash('sha256').update(input.bytes).digest('base64')}`,
  }
}

/**
 * Square: `X-Square-HmacSha256-Signature`, the base64 HMAC-SHA256 (keyed
 * with the subscription's signature key) of the notification URL
 * (`signedUrl`, else `url`) followed by the body. The id is the payload's
 * `event_id`.
 */
export function signSquare(input: SignInput): SignerOutput {
  const secret = requireSecret(input.options.secret, 'square')
  const notificationUrl = signedUrlOf(input, 'square')
  const id = payloadString(input.bytes, 'event_id')
  return {
    headers: {
      'x-square-hmacsha256-signature': hmac('sha256', secret, [notificationUrl, input.bytes], 'base64'),
      'square-retry-number': String(input.attempt),
      'square-initial-delivery-timestamp': new Date(input.timestamp * 1000).toISOString(),
    },
    ...(id === undefined ? {} : { id }),
  }
}

/**
 * Mailgun: the body is wrapped as Mailgun sends it, `{ signature, "event-data" }`,
 * the given body being the event data; `signature.signature` is the hex
 * HMAC-SHA256 (keyed with the webhook signing key) of the timestamp followed
 * by a fresh 50-character token. The id is `event-data.id` (default: `id`).
 */
export function signMailgun(input: SignInput): SignerOutput {
  const secret = requireSecret(input.options.secret, 'mailgun')
  let eventData: Record<string, unknown>
  try {
    eventData = JSON.parse(decoder.decode(input.bytes)) as Record<string, unknown>
  } catch {
    throw new TypeError('mailgun: body must be a JSON object (the event data)')
  }
  if (eventData === null || typeof eventData !== 'object' || Array.isArray(eventData)) {
    throw new TypeError('mailgun: body must be a JSON object (the event data)')
  }
  const id = typeof eventData.id === 'string' ? eventData.id : input.id
  const timestamp = String(input.timestamp)
  const token = randomBytes(25).toString('hex')
  const signature = { token, timestamp, signature: hmac('sha256', secret, [timestamp + token], 'hex') }
  return {
    headers: { 'user-agent': 'mailgun/treq-16.12.0' },
    body: JSON.stringify({ signature, 'event-data': { ...eventData, id } }),
    id,
  }
}
