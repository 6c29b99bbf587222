import { describe, expect, test } from 'vitest'
import { WebhookError } from '../errors.js'
import type { HeaderBag } from '../lib/headers.js'
import { basicAuth } from './basic-auth.js'

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

const basic = (pair: string) => `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`

describe('basicAuth', () => {
  const verifier = basicAuth({ credentials: { username: 'postmark', password: 'pä55:word' } })

  test.each([
    [basic('postmark:pä55:word'), 'ok'],
    [`basic ${basic('postmark:pä55:word').slice(6)}`, 'ok'],
    [basic('postmark:pä55:wordX'), 'invalid_token'],
    [basic('postmark:pä55'), 'invalid_token'],
    [basic('Postmark:pä55:word'), 'invalid_token'],
    [basic('postmark'), 'invalid_token'],
    ['Basic cG9zdG1hcms6cA', 'invalid_token'],
    ['Basic !!!!', 'missing_credentials'],
    ['Basic ', 'missing_credentials'],
    ['Bearer cG9zdG1hcms6cA==', 'missing_credentials'],
    ['', 'missing_credentials'],
  ])('%s → %s', async (authorization, expected) => {
    expect(await outcome(verifier.verify(context({ authorization })))).toBe(expected)
  })

  test('no Authorization header is missing_credentials; a repeated one is refused', async () => {
    expect(await outcome(verifier.verify(context({})))).toBe('missing_credentials')
    const twice = [basic('postmark:pä55:word'), basic('postmark:pä55:word')]
    expect(await outcome(verifier.verify(context({ authorization: twice })))).not.toBe('ok')
  })

  test('several credentials during a rotation: each passes, others do not', async () => {
    const rotating = basicAuth({
      credentials: [
        { username: 'hooks', password: 'old-password' },
        { username: 'hooks', password: 'new-password' },
      ],
    })
    expect(await outcome(rotating.verify(context({ authorization: basic('hooks:old-password') })))).toBe('ok')
    expect(await outcome(rotating.verify(context({ authorization: basic('hooks:new-password') })))).toBe('ok')
    expect(await outcome(rotating.verify(context({ authorization: basic('hooks:other') })))).toBe('invalid_token')
  })

  test('reads Authorization as a credential header and signs nothing', () => {
    expect(verifier.credentialHeaders).toEqual(['authorization'])
    expect(verifier.signs).toBeUndefined()
    expect(verifier.name).toBe('basic-auth')
  })

  test('bad options fail at creation, naming the option', () => {
    expect(() => basicAuth(undefined as never)).toThrow('basicAuth needs an options object')
    expect(() => basicAuth({ credentials: [] })).toThrow(
      'basic-auth: credentials must be one value or a non-empty list',
    )
    expect(() => basicAuth({ credentials: { username: 'a:b', password: 'p' } })).toThrow(
      'basic-auth: credentials[0].username must be a user name without ":"',
    )
    expect(() => basicAuth({ credentials: { username: 'a', password: '' } })).toThrow(
      'basic-auth: credentials[0].password must be a non-empty string',
    )
    expect(() => basicAuth({ credentials: [null as never] })).toThrow('basic-auth: credentials[0] must be an object')
  })
})
