import { randomBytes, randomUUID, sign } from 'node:crypto'
import { unixSeconds } from './body.js'
import { hmac, loadPrivateKey, requireSecret } from './keys.js'
import type { PrivateKeyInput } from './types.js'

/** The handshakes {@link handshakeRequest} makes, by the names the CLI takes. */
export const handshakeNames = [
  'slack-url-verification',
  'slack-ssl-check',
  'meta-subscribe',
  'zoom-url-validation',
  'dropbox-challenge',
  'discord-ping',
  'twitch-verification',
  'microsoft-graph-validation',
  'x-crc',
  'okta-verification',
] as const

/** A sender's handshake, by the names in {@link handshakeNames}. */
export type HandshakeName = (typeof handshakeNames)[number]

/** Options for {@link handshakeRequest}. */
export interface HandshakeOptions {
  /**
   * The signing secret (Slack's url_verification and Zoom's url_validation are signed; Zoom's secret token),
   * Twitch's subscription secret, X's consumer secret, Okta's header secret.
   */
  secret?: string
  /** Okta: the header carrying the secret. Default `authorization`. */
  header?: string
  /** Discord: the application's private key (PEM, JWK or KeyObject). */
  privateKey?: PrivateKeyInput
  /** Meta: the verify token of the subscription. */
  verifyToken?: string
  /** The challenge to send. Default: a fresh one in the sender's format. */
  challenge?: string
  /** The endpoint. Default `http://127.0.0.1:3000/hooks`. */
  url?: string
  /** When it was signed. Default: now. */
  timestamp?: number | Date
}

/** A handshake request as the sender makes it, and the body it expects back. */
export interface HandshakeRequest {
  method: 'GET' | 'POST'
  /** The endpoint, with the sender's query string. */
  url: string
  headers: Record<string, string>
  /** The request body; `undefined` for a GET. */
  body: string | undefined
  /** The challenge sent. */
  challenge: string
  /** What a receiver that passes the handshake answers with: status, content type and body. */
  expected: { status: 200; contentType: string; body: string }
}

/**
 * Makes the request a sender sends to verify an endpoint, and says what it
 * expects back, so you can test your endpoint before going live.
 *
 * @example
 * ```ts
 * import { handshakeRequest } from '@hookguard/testing'
 *
 * const shake = handshakeRequest('meta-subscribe', { verifyToken: 'meatyhamhock', url: 'http://localhost/hooks' })
 * const response = await guard.handle(new Request(shake.url, { method: shake.method, headers: shake.headers }))
 * expect(await response.text()).toBe(shake.expected.body)
 * ```
 */
export function handshakeRequest(name: HandshakeName, options: HandshakeOptions = {}): HandshakeRequest {
  const url = options.url ?? 'http://127.0.0.1:3000/hooks'
  switch (name) {
    case 'slack-url-verification': {
      const secret = requireSecret(options.secret, name)
      const challenge = options.challenge ?? randomBytes(36).toString('base64url')
      const body = JSON.stringify({ token: randomBytes(12).toString('base64url'), challenge, type: 'url_verification' })
      const timestamp = unixSeconds(options.timestamp)
      return {
        method: 'POST',
        url,
        headers: {
          'content-type': 'application/json',
          'x-slack-request-timestamp': String(timestamp),
          'x-slack-signature': `v0=${hmac('sha256', secret, [`v0:${timestamp}:${body}`], 'hex')}`,
        },
        body,
        challenge,
        expected: { status: 200, contentType: 'application/json', body: JSON.stringify({ challenge }) },
      }
    }
    case 'slack-ssl-check':
      return {
        method: 'POST',
        url,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `ssl_check=1&token=${randomBytes(12).toString('base64url')}`,
        challenge: '',
        expected: { status: 200, contentType: 'text/plain; charset=utf-8', body: '' },
      }
    case 'meta-subscribe': {
      const verifyToken = options.verifyToken
      if (typeof verifyToken !== 'string' || verifyToken === '') throw new TypeError(`${name}: verifyToken is required`)
      const challenge = options.challenge ?? String(1_000_000_000 + (randomBytes(4).readUInt32BE() % 1_000_000_000))
      const query = new URLSearchParams({
        'hub.mode': 'subscribe',
        'hub.challenge': challenge,
        'hub.verify_token': verifyToken,
      })
      return {
        method: 'GET',
        url: `${url}${url.includes('?') ? '&' : '?'}${query}`,
        headers: { 'user-agent': 'facebookplatform/1.0 (+http://developers.facebook.com)' },
        body: undefined,
        challenge,
        expected: { status: 200, contentType: 'text/plain; charset=utf-8', body: challenge },
      }
    }
    case 'zoom-url-validation': {
      const secret = requireSecret(options.secret, name)
      const plainToken = options.challenge ?? randomBytes(16).toString('base64url')
      const body = JSON.stringify({
        payload: { plainToken },
        event_ts: unixSeconds(options.timestamp) * 1000,
        event: 'endpoint.url_validation',
      })
      const timestamp = unixSeconds(options.timestamp)
      const encryptedToken = hmac('sha256', secret, [plainToken], 'hex')
      return {
        method: 'POST',
        url,
        headers: {
          'content-type': 'application/json',
          'x-zm-request-timestamp': String(timestamp),
          'x-zm-signature': `v0=${hmac('sha256', secret, [`v0:${timestamp}:${body}`], 'hex')}`,
        },
        body,
        challenge: plainToken,
        expected: {
          status: 200,
          contentType: 'application/json',
          body: JSON.stringify({ plainToken, encryptedToken }),
        },
      }
    }
    case 'dropbox-challenge': {
      const challenge = options.challenge ?? randomBytes(24).toString('base64url')
      return {
        method: 'GET',
        url: `${url}${url.includes('?') ? '&' : '?'}${new URLSearchParams({ challenge })}`,
        headers: { 'user-agent': 'DropboxWebhooks/1.0' },
        body: undefined,
        challenge,
        expected: { status: 200, contentType: 'text/plain; charset=utf-8', body: challenge },
      }
    }
    case 'discord-ping': {
      if (options.privateKey === undefined) throw new TypeError(`${name}: privateKey is required`)
      const key = loadPrivateKey(options.privateKey, name)
      const id = String(1_000_000_000 + (randomBytes(4).readUInt32BE() % 1_000_000_000))
      const body = JSON.stringify({
        application_id: id,
        id,
        token: randomBytes(24).toString('base64url'),
        type: 1,
        version: 1,
      })
      const timestamp = String(unixSeconds(options.timestamp))
      return {
        method: 'POST',
        url,
        headers: {
          'content-type': 'application/json',
          'x-signature-timestamp': timestamp,
          'x-signature-ed25519': sign(null, Buffer.from(timestamp + body), key).toString('hex'),
        },
        body,
        challenge: '',
        expected: { status: 200, contentType: 'application/json', body: '{"type":1}' },
      }
    }
    case 'twitch-verification': {
      const secret = requireSecret(options.secret, name)
      const challenge = options.challenge ?? randomBytes(24).toString('base64url')
      const id = randomUUID()
      const timestamp = new Date(unixSeconds(options.timestamp) * 1000).toISOString()
      const body = JSON.stringify({
        challenge,
        subscription: {
          id: randomUUID(),
          status: 'webhook_callback_verification_pending',
          type: 'channel.follow',
          version: '2',
          cost: 0,
          condition: { broadcaster_user_id: '12826', moderator_user_id: '12826' },
          transport: { method: 'webhook', callback: url },
          created_at: timestamp,
        },
      })
      return {
        method: 'POST',
        url,
        headers: {
          'content-type': 'application/json',
          'twitch-eventsub-message-id': id,
          'twitch-eventsub-message-retry': '0',
          'twitch-eventsub-message-type': 'webhook_callback_verification',
          'twitch-eventsub-message-signature': `sha256=${hmac('sha256', secret, [id, timestamp, body], 'hex')}`,
          'twitch-eventsub-message-timestamp': timestamp,
          'twitch-eventsub-subscription-type': 'channel.follow',
          'twitch-eventsub-subscription-version': '2',
        },
        body,
        challenge,
        expected: { status: 200, contentType: 'text/plain; charset=utf-8', body: challenge },
      }
    }
    case 'microsoft-graph-validation': {
      const challenge =
        options.challenge ??
        `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`
      return {
        method: 'POST',
        url: `${url}${url.includes('?') ? '&' : '?'}${new URLSearchParams({ validationToken: challenge })}`,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: '',
        challenge,
        expected: { status: 200, contentType: 'text/plain; charset=utf-8', body: challenge },
      }
    }
    case 'x-crc': {
      const secret = requireSecret(options.secret, name)
      const challenge = options.challenge ?? randomUUID()
      return {
        method: 'GET',
        url: `${url}${url.includes('?') ? '&' : '?'}${new URLSearchParams({ crc_token: challenge })}`,
        headers: {},
        body: undefined,
        challenge,
        expected: {
          status: 200,
          contentType: 'application/json',
          body: JSON.stringify({ response_token: `sha256=${hmac('sha256', secret, [challenge], 'base64')}` }),
        },
      }
    }
    case 'okta-verification': {
      const secret = requireSecret(options.secret, name)
      const challenge = options.challenge ?? randomBytes(30).toString('base64url')
      return {
        method: 'GET',
        url,
        headers: {
          [(options.header ?? 'authorization').toLowerCase()]: secret,
          'x-okta-verification-challenge': challenge,
        },
        body: undefined,
        challenge,
        expected: { status: 200, contentType: 'application/json', body: JSON.stringify({ verification: challenge }) },
      }
    }
    default:
      throw new TypeError(`unknown handshake ${String(name)}: use one of ${handshakeNames.join(', ')}`)
  }
}
