import { describe, expect, test } from 'vitest'
import { WebhookError } from '../errors.js'
import type { HeaderBag } from '../lib/headers.js'
import { bearerToken } from './bearer-token.js'

function context(headers: HeaderBag) {
  return {
    method: 'POST',
    headers,
    body: new Uint8Array(),
    params: {},
    tls: undefined,
    nowMs: 0,
    toleranceSeconds: 300,
  }
}

async function outcome(promise: unknown): Promise<string> {
  try {
    await promise
    return 'ok'
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookError)
    return (error as WebhookError).code
  }
}

describe('bearerToken', () => {
  const verifier = bearerToken({ tokens: 's3cr3t-token' })

  test.each([
    ['Bearer s3cr3t-token', 'ok'],
    ['bearer s3cr3t-token', 'ok'],
    ['BEARER s3cr3t-token', 'ok'],
    ['Bearer  s3cr3t-token', 'ok'],
    ['Bearer s3cr3t-tokeN', 'invalid_token'],
    ['Bearer s3cr3t-token2', 'invalid_token'],
    ['Bearer s3cr3t', 'invalid_token'],
    ['Bearer ', 'missing_credentials'],
    ['Basic czNjcjN0LXRva2Vu', 'missing_credentials'],
    ['s3cr3t-token', 'missing_credentials'],
    ['Bearer s3cr3t-token extra', 'missing_credentials'],
    ['Bearer s3cr3t\u00e9token', 'invalid_token'],
  ])('Authorization: %j → %s', async (value, expected) => {
    expect(await outcome(verifier.verify(context({ authorization: value })))).toBe(expected)
  })

  test('a missing or repeated Authorization header', async () => {
    expect(await outcome(verifier.verify(context({})))).toBe('missing_credentials')
    expect(
      await outcome(verifier.verify(context({ authorization: ['Bearer s3cr3t-token', 'Bearer s3cr3t-token'] }))),
    ).toBe('duplicate_header')
  })

  test('a custom header carries the token as its whole value', async () => {
    const custom = bearerToken({ tokens: 's3cr3t-token', header: 'X-Webhook-Secret' })
    expect(await outcome(custom.verify(context({ 'x-webhook-secret': 's3cr3t-token' })))).toBe('ok')
    expect(await outcome(custom.verify(context({ 'x-webhook-secret': 'Bearer s3cr3t-token' })))).toBe('invalid_token')
    expect(await outcome(custom.verify(context({ 'x-webhook-secret': 'wrong' })))).toBe('invalid_token')
    expect(await outcome(custom.verify(context({ authorization: 'Bearer s3cr3t-token' })))).toBe('missing_credentials')
  })

  test('rotation: any configured token passes', async () => {
    const rotating = bearerToken({ tokens: ['old-token', 'new-token'] })
    expect(await outcome(rotating.verify(context({ authorization: 'Bearer old-token' })))).toBe('ok')
    expect(await outcome(rotating.verify(context({ authorization: 'Bearer new-token' })))).toBe('ok')
    expect(await outcome(rotating.verify(context({ authorization: 'Bearer other-token' })))).toBe('invalid_token')
  })

  test('invalid configuration fails at creation', () => {
    expect(() => bearerToken({ tokens: [] })).toThrow(TypeError)
    expect(() => bearerToken({ tokens: '' })).toThrow(/tokens/)
    expect(() => bearerToken({ tokens: 'has space' })).toThrow(/RFC 6750/)
  })

  test('errors carry no token', async () => {
    try {
      await verifier.verify(context({ authorization: 'Bearer guessed-token-value' }))
    } catch (error) {
      expect(JSON.stringify({ ...(error as WebhookError), message: (error as Error).message })).not.toContain('guessed')
    }
  })
})
