import { createHmac, generateKeyPairSync, type KeyObject, sign as signWithKey } from 'node:crypto'
import { exportJWK, exportSPKI, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { type JwksServer, startJwksServer } from '../../test-support/jwks-server.js'
import { createGuard } from '../guard.js'
import type { WebhookEvent } from '../types.js'
import { jwt } from './jwt.js'
import type { Verifier } from './verifier.js'

const issuer = 'https://issuer.example'
const audience = 'https://hooks.example'
const secret = 'a-shared-secret-of-reasonable-length!'

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>

async function sign(
  key: KeyPair['privateKey'] | Uint8Array,
  alg: string,
  claims: JWTPayload = {},
  options: { kid?: string; exp?: number | null; iat?: number } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  const builder = new SignJWT({ iss: issuer, aud: audience, ...claims })
    .setProtectedHeader(options.kid ? { alg, kid: options.kid } : { alg })
    .setIssuedAt(options.iat ?? now)
  if (options.exp !== null) builder.setExpirationTime(options.exp ?? now + 300)
  return builder.sign(key)
}

function guardFor(verifier: Verifier, events: WebhookEvent[] = []) {
  return createGuard({ verify: [verifier], dedupe: false, enqueue: (event) => void events.push(event) })
}

async function send(verifier: Verifier | ReturnType<typeof guardFor>, headers: Record<string, string>) {
  const guard = 'handle' in verifier ? verifier : guardFor(verifier)
  const response = await guard.handle(
    new Request('http://hooks.test/hook', { method: 'POST', body: '{"hello":"world"}', headers }),
  )
  return { status: response.status, code: ((await response.json()) as { code: string }).code, response }
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' })
const hsBytes = new TextEncoder().encode(secret)

describe('jwt: options are checked at creation', () => {
  test('algorithms are required and pinned', () => {
    expect(() => jwt({ secret, algorithms: [], issuer, audience })).toThrow(/algorithms/)
    expect(() => jwt({ secret, algorithms: ['none'], issuer, audience })).toThrow(/none/)
    expect(() => jwt({ secret, algorithms: ['HS1'], issuer, audience })).toThrow(TypeError)
    // @ts-expect-error algorithms is required
    expect(() => jwt({ secret, issuer, audience })).toThrow(/algorithms/)
  })

  test('an HS algorithm with a public key, or an asymmetric one with a secret, is refused', async () => {
    const { publicKey } = await generateKeyPair('RS256')
    const pem = await exportSPKI(publicKey)
    expect(() => jwt({ publicKey: pem, algorithms: ['RS256', 'HS256'], issuer, audience })).toThrow(/HS256/)
    expect(() => jwt({ jwksUrl: 'https://x.example/jwks', algorithms: ['HS256'], issuer, audience })).toThrow(TypeError)
    expect(() => jwt({ secret, algorithms: ['RS256'], issuer, audience })).toThrow(/RS256/)
    expect(() => jwt({ secret, algorithms: ['EdDSA'], issuer, audience })).toThrow(TypeError)
  })

  test('exactly one key source, well formed', () => {
    expect(() => jwt({ algorithms: ['HS256'], issuer, audience })).toThrow(/exactly one/)
    expect(() => jwt({ secret, jwksUrl: 'https://x.example/jwks', algorithms: ['HS256'], issuer, audience })).toThrow(
      /exactly one/,
    )
    expect(() => jwt({ secret: '', algorithms: ['HS256'], issuer, audience })).toThrow(/secret/)
    expect(() => jwt({ publicKey: 'not a pem', algorithms: ['RS256'], issuer, audience })).toThrow(/publicKey/)
    expect(() => jwt({ publicKey: { kty: 'oct', k: 'abc' }, algorithms: ['RS256'], issuer, audience })).toThrow(
      /publicKey/,
    )
    expect(() => jwt({ jwksUrl: 'not a url', algorithms: ['RS256'], issuer, audience })).toThrow(/jwksUrl/)
    expect(() => jwt({ jwksUrl: 'http://keys.example/jwks', algorithms: ['RS256'], issuer, audience })).toThrow(/https/)
  })

  test('issuer, audience and the numeric options', () => {
    // @ts-expect-error issuer is required (null when the sender sets none)
    expect(() => jwt({ secret, algorithms: ['HS256'], audience })).toThrow(/issuer/)
    expect(() => jwt({ secret, algorithms: ['HS256'], issuer: '', audience })).toThrow(/issuer/)
    expect(() => jwt({ secret, algorithms: ['HS256'], issuer, audience: [] })).toThrow(/audience/)
    expect(() => jwt({ secret, algorithms: ['HS256'], issuer, audience, clockToleranceSeconds: -1 })).toThrow(
      /clockToleranceSeconds/,
    )
    expect(() => jwt({ secret, algorithms: ['HS256'], issuer, audience, maxTokenAgeSeconds: 0 })).toThrow(
      /maxTokenAgeSeconds/,
    )
    expect(() =>
      // @ts-expect-error claim values are primitives
      jwt({ secret, algorithms: ['HS256'], issuer, audience, claims: { roles: ['a'] } }),
    ).toThrow(/claims\.roles/)
    expect(() => jwt({ secret, algorithms: ['HS256'], issuer, audience, header: 'bad header' })).toThrow(/header/)
  })
})

describe('jwt with a secret', () => {
  const verifier = jwt({ secret, algorithms: ['HS256'], issuer, audience })

  test('accepts a valid token and puts its claims on the event', async () => {
    const events: WebhookEvent[] = []
    const token = await sign(hsBytes, 'HS256', { sub: 'sender-1' })
    const { status } = await send(guardFor(verifier, events), bearer(token))
    expect(status).toBe(202)
    expect(events[0]?.auth).toEqual([
      { verifier: 'jwt', claims: expect.objectContaining({ sub: 'sender-1', iss: issuer, aud: audience }) },
    ])
    expect(events[0]?.timestamp).toBe(events[0]?.auth[0]?.claims?.iat)
  })

  test('missing or malformed credentials', async () => {
    expect((await send(verifier, {})).code).toBe('missing_credentials')
    expect((await send(verifier, { authorization: 'Basic abc' })).code).toBe('missing_credentials')
    expect(await send(verifier, { authorization: 'Bearer not-a-jwt' })).toMatchObject({
      status: 401,
      code: 'invalid_token',
    })
  })

  test('a tampered payload or a wrong secret is invalid_token', async () => {
    const token = await sign(hsBytes, 'HS256', { sub: 'sender-1' })
    const [h, , s] = token.split('.')
    const forged = Buffer.from(JSON.stringify({ iss: issuer, aud: audience, sub: 'admin', exp: 9e9 })).toString(
      'base64url',
    )
    expect((await send(verifier, bearer(`${h}.${forged}.${s}`))).code).toBe('invalid_token')
    const wrong = await sign(new TextEncoder().encode('another secret entirely, also long'), 'HS256')
    expect((await send(verifier, bearer(wrong))).code).toBe('invalid_token')
  })

  test('an unsigned (alg none) token or an unpinned algorithm is refused', async () => {
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(
      JSON.stringify({ iss: issuer, aud: audience, exp: 9e9 }),
    ).toString('base64url')}.`
    expect((await send(verifier, bearer(none))).code).toBe('invalid_token')
    const hs512 = await sign(hsBytes, 'HS512')
    expect((await send(verifier, bearer(hs512))).code).toBe('invalid_token')
  })

  test('expiry: token_expired past the 60 s tolerance, accepted within it; exp required by default', async () => {
    const now = Math.floor(Date.now() / 1000)
    const long = await sign(hsBytes, 'HS256', {}, { exp: now - 120, iat: now - 600 })
    expect(await send(verifier, bearer(long))).toMatchObject({ status: 401, code: 'token_expired' })
    const recent = await sign(hsBytes, 'HS256', {}, { exp: now - 30, iat: now - 600 })
    expect((await send(verifier, bearer(recent))).status).toBe(202)
    const strict = jwt({ secret, algorithms: ['HS256'], issuer, audience, clockToleranceSeconds: 0 })
    expect((await send(strict, bearer(recent))).code).toBe('token_expired')
    const noExp = await sign(hsBytes, 'HS256', {}, { exp: null })
    expect((await send(verifier, bearer(noExp))).code).toBe('invalid_token')
    const lenient = jwt({ secret, algorithms: ['HS256'], issuer, audience, requireExpiration: false })
    expect((await send(lenient, bearer(noExp))).status).toBe(202)
  })

  test('issuer, audience, required and exact claims', async () => {
    const otherIssuer = await sign(hsBytes, 'HS256', { iss: 'https://evil.example' })
    expect((await send(verifier, bearer(otherIssuer))).code).toBe('invalid_token')
    const otherAudience = await sign(hsBytes, 'HS256', { aud: 'https://elsewhere.example' })
    expect((await send(verifier, bearer(otherAudience))).code).toBe('invalid_token')

    const picky = jwt({
      secret,
      algorithms: ['HS256'],
      issuer: ['https://other.example', issuer],
      audience,
      requiredClaims: ['jti'],
      claims: { email: 'x@y.example', email_verified: true },
    })
    const good = await sign(hsBytes, 'HS256', { jti: 'j1', email: 'x@y.example', email_verified: true })
    expect((await send(picky, bearer(good))).status).toBe(202)
    const noJti = await sign(hsBytes, 'HS256', { email: 'x@y.example', email_verified: true })
    expect((await send(picky, bearer(noJti))).code).toBe('invalid_token')
    const unverified = await sign(hsBytes, 'HS256', { jti: 'j1', email: 'x@y.example', email_verified: 'true' })
    expect((await send(picky, bearer(unverified))).code).toBe('invalid_token')
    const otherEmail = await sign(hsBytes, 'HS256', { jti: 'j1', email: 'z@y.example', email_verified: true })
    expect((await send(picky, bearer(otherEmail))).code).toBe('invalid_token')
  })

  test('maxTokenAgeSeconds rejects old tokens by iat', async () => {
    const young = jwt({ secret, algorithms: ['HS256'], issuer, audience, maxTokenAgeSeconds: 120 })
    const now = Math.floor(Date.now() / 1000)
    expect((await send(young, bearer(await sign(hsBytes, 'HS256', {}, { iat: now - 10 })))).status).toBe(202)
    expect((await send(young, bearer(await sign(hsBytes, 'HS256', {}, { iat: now - 600 })))).status).toBe(401)
  })

  test('a named header carries the bare token; secrets rotate', async () => {
    const rotating = jwt({
      secret: ['the old secret, still accepted for a while', secret],
      algorithms: ['HS256'],
      issuer,
      audience,
      header: 'X-Hook-Token',
    })
    const token = await sign(hsBytes, 'HS256')
    expect((await send(rotating, { 'x-hook-token': token })).status).toBe(202)
    expect((await send(rotating, bearer(token))).code).toBe('missing_credentials')
  })

  test('verifyClaims can reject', async () => {
    const checked = jwt({
      secret,
      algorithms: ['HS256'],
      issuer,
      audience,
      verifyClaims: (claims, ctx) => claims.len === ctx.body.byteLength,
    })
    expect((await send(checked, bearer(await sign(hsBytes, 'HS256', { len: 17 })))).status).toBe(202)
    expect((await send(checked, bearer(await sign(hsBytes, 'HS256', { len: 3 })))).code).toBe('invalid_token')
  })
})

/**
 * A token written by hand, so its claims can hold what `SignJWT` refuses to write (`1e400`, `1.5`):
 * `times` are raw JSON number texts for `iat`, `exp`, `nbf`.
 */
function handMade(key: string | KeyObject, times: Record<string, string>): string {
  const alg = typeof key === 'string' ? 'HS256' : 'RS256'
  const header = Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url')
  const entries = Object.entries(times).map(([claim, text]) => `"${claim}":${text}`)
  const claims = `${JSON.stringify({ iss: issuer, aud: audience }).slice(0, -1)},${entries.join(',')}}`
  const input = `${header}.${Buffer.from(claims).toString('base64url')}`
  const signature =
    typeof key === 'string'
      ? createHmac('sha256', key).update(input).digest('base64url')
      : signWithKey('sha256', Buffer.from(input), key).toString('base64url')
  return `${input}.${signature}`
}

describe('jwt: exp, nbf and iat must be whole seconds', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string
  const targets = [
    { alg: 'HS256', key: secret, verifier: jwt({ secret, algorithms: ['HS256'], issuer, audience }) },
    { alg: 'RS256', key: rsa.privateKey, verifier: jwt({ publicKey: pem, algorithms: ['RS256'], issuer, audience }) },
  ]
  const now = Math.floor(Date.now() / 1000)
  const good = { iat: String(now), exp: String(now + 300) }
  const bad: Record<string, Record<string, string>> = {
    'exp 1e400 (Infinity: never expires)': { ...good, exp: '1e400' },
    'exp -1e400 (-Infinity)': { ...good, exp: '-1e400' },
    'exp 1.5': { ...good, exp: '1.5' },
    'exp with a fraction, in the future': { ...good, exp: `${now + 300}.5` },
    'exp 1e300 (beyond a safe integer)': { ...good, exp: '1e300' },
    'nbf -1e400': { ...good, nbf: '-1e400' },
    'nbf with a fraction, in the past': { ...good, nbf: `${now - 10}.25` },
    'iat 1e400': { ...good, iat: '1e400' },
    'iat -1e400': { ...good, iat: '-1e400' },
    'iat with a fraction': { ...good, iat: `${now}.5` },
  }

  for (const { alg, key, verifier } of targets) {
    test(`${alg}: a hand-made token with whole-second claims is accepted (the control)`, async () => {
      const token = handMade(key, { ...good, nbf: String(now - 10) })
      expect((await send(verifier, bearer(token))).status).toBe(202)
    })

    for (const [label, times] of Object.entries(bad)) {
      test(`${alg}: ${label} is 401 invalid_token through createGuard`, async () => {
        expect(await send(verifier, bearer(handMade(key, times)))).toMatchObject({
          status: 401,
          code: 'invalid_token',
        })
      })
    }
  }

  test('with maxTokenAgeSeconds, iat -1e400 is invalid_token, not token_expired', async () => {
    const young = jwt({ secret, algorithms: ['HS256'], issuer, audience, maxTokenAgeSeconds: 120 })
    expect((await send(young, bearer(handMade(secret, { ...good, iat: '-1e400' })))).code).toBe('invalid_token')
  })
})

describe('jwt with a public key', () => {
  test('PEM and JWK, several algorithms, rotation', async () => {
    const rsa = await generateKeyPair('RS256')
    const ec = await generateKeyPair('ES256')
    const ed = await generateKeyPair('EdDSA')
    const verifier = jwt({
      publicKey: [await exportSPKI(rsa.publicKey), (await exportJWK(ec.publicKey)) as JWK],
      algorithms: ['RS256', 'ES256'],
      issuer,
      audience,
    })
    expect((await send(verifier, bearer(await sign(rsa.privateKey, 'RS256')))).status).toBe(202)
    expect((await send(verifier, bearer(await sign(ec.privateKey, 'ES256')))).status).toBe(202)
    const other = await generateKeyPair('RS256')
    expect((await send(verifier, bearer(await sign(other.privateKey, 'RS256')))).code).toBe('invalid_token')
    // A key of a pinned kind but not an accepted algorithm.
    expect((await send(verifier, bearer(await sign(ed.privateKey, 'EdDSA')))).code).toBe('invalid_token')
    // An HS256 token signed with the public key's bytes (the classic confusion) is refused.
    const pemBytes = new TextEncoder().encode(await exportSPKI(rsa.publicKey))
    expect((await send(verifier, bearer(await sign(pemBytes, 'HS256')))).code).toBe('invalid_token')
  })

  test('a JWK is used only for the algorithm it names; a key that fits no algorithm is keys_unavailable', async () => {
    const ec = await generateKeyPair('ES256')
    const jwk = { ...(await exportJWK(ec.publicKey)), alg: 'ES256' } as JWK
    const both = jwt({ publicKey: jwk, algorithms: ['ES256', 'RS256'], issuer, audience })
    expect((await send(both, bearer(await sign(ec.privateKey, 'ES256')))).status).toBe(202)
    const misnamed = jwt({ publicKey: { ...jwk, alg: 'ES384' }, algorithms: ['ES256'], issuer, audience })
    expect(await send(misnamed, bearer(await sign(ec.privateKey, 'ES256')))).toMatchObject({
      status: 503,
      code: 'keys_unavailable',
    })
  })
})

async function publicJwk(pair: KeyPair, kid: string): Promise<JWK> {
  return { ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' }
}

describe('jwt with a remote key set', () => {
  let k1: KeyPair
  let k2: KeyPair
  let stranger: KeyPair
  const servers: JwksServer[] = []

  async function server(keys: JWK[]): Promise<JwksServer> {
    const started = await startJwksServer(keys)
    servers.push(started)
    return started
  }

  beforeAll(async () => {
    ;[k1, k2, stranger] = await Promise.all([
      generateKeyPair('RS256'),
      generateKeyPair('RS256'),
      generateKeyPair('RS256'),
    ])
  })
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()))
  })

  test('accepts a token signed by a listed key, fetching the set once', async () => {
    const jwks = await server([await publicJwk(k1, 'k1')])
    const verifier = jwt({ jwksUrl: jwks.url, algorithms: ['RS256'], issuer, audience })
    for (let i = 0; i < 3; i++) {
      expect((await send(verifier, bearer(await sign(k1.privateKey, 'RS256', {}, { kid: 'k1' })))).status).toBe(202)
    }
    expect(jwks.requests).toBe(1)
  })

  test('a flood of unknown kids does not cause a flood of key-set fetches', async () => {
    const jwks = await server([await publicJwk(k1, 'k1')])
    const verifier = jwt({ jwksUrl: jwks.url, algorithms: ['RS256'], issuer, audience })
    expect((await send(verifier, bearer(await sign(k1.privateKey, 'RS256', {}, { kid: 'k1' })))).status).toBe(202)
    const tokens = await Promise.all(
      Array.from({ length: 40 }, (_, i) => sign(stranger.privateKey, 'RS256', {}, { kid: `unknown-${i}` })),
    )
    const sequential = []
    for (const token of tokens.slice(0, 20)) sequential.push((await send(verifier, bearer(token))).code)
    const concurrent = await Promise.all(
      tokens.slice(20).map(async (token) => (await send(verifier, bearer(token))).code),
    )
    expect(new Set([...sequential, ...concurrent])).toEqual(new Set(['invalid_token']))
    expect(jwks.requests).toBe(1)
  })

  test('key rotation: a new kid triggers one refetch; a removed kid is invalid_token after the refresh', async () => {
    const jwks = await server([await publicJwk(k1, 'k1')])
    const verifier = jwt({ jwksUrl: jwks.url, algorithms: ['RS256'], issuer, audience, jwksCooldownMs: 0 })
    expect((await send(verifier, bearer(await sign(k1.privateKey, 'RS256', {}, { kid: 'k1' })))).status).toBe(202)
    expect(jwks.requests).toBe(1)

    jwks.keys = [await publicJwk(k2, 'k2')]
    expect((await send(verifier, bearer(await sign(k2.privateKey, 'RS256', {}, { kid: 'k2' })))).status).toBe(202)
    expect(jwks.requests).toBe(2)

    const removed = await send(verifier, bearer(await sign(k1.privateKey, 'RS256', {}, { kid: 'k1' })))
    expect(removed).toMatchObject({ status: 401, code: 'invalid_token' })
    expect(jwks.requests).toBe(3)
    // A kid that is listed but a signature made with another key.
    const impostor = await send(verifier, bearer(await sign(stranger.privateKey, 'RS256', {}, { kid: 'k2' })))
    expect(impostor.code).toBe('invalid_token')
  })

  test('a key-set server that is down is 503 keys_unavailable with Retry-After, never 401; it recovers', async () => {
    const jwks = await server([await publicJwk(k1, 'k1')])
    jwks.mode = 'error'
    const verifier = jwt({ jwksUrl: jwks.url, algorithms: ['RS256'], issuer, audience, jwksFailureBackoffMs: 0 })
    const token = await sign(k1.privateKey, 'RS256', {}, { kid: 'k1' })
    const down = await send(verifier, bearer(token))
    expect(down).toMatchObject({ status: 503, code: 'keys_unavailable' })
    expect(down.response.headers.get('retry-after')).toMatch(/^[0-9]+$/)

    jwks.mode = 'garbage'
    expect(await send(verifier, bearer(token))).toMatchObject({ status: 503, code: 'keys_unavailable' })

    jwks.mode = 'ok'
    expect((await send(verifier, bearer(token))).status).toBe(202)
  })

  test('while the key set is down, a flood of requests is not a flood of fetches', async () => {
    const jwks = await server([await publicJwk(k1, 'k1')])
    jwks.mode = 'error'
    const verifier = jwt({ jwksUrl: jwks.url, algorithms: ['RS256'], issuer, audience, jwksFailureBackoffMs: 200 })
    const token = await sign(k1.privateKey, 'RS256', {}, { kid: 'k1' })
    expect((await send(verifier, bearer(token))).code).toBe('keys_unavailable')
    const flood = await Promise.all(Array.from({ length: 30 }, () => send(verifier, bearer(token))))
    expect(new Set(flood.map((r) => r.code))).toEqual(new Set(['keys_unavailable']))
    expect(jwks.requests).toBe(1)
    jwks.mode = 'ok'
    await new Promise((resolve) => setTimeout(resolve, 250))
    expect((await send(verifier, bearer(token))).status).toBe(202)
    expect(jwks.requests).toBe(2)
  })

  test('during the failure back-off, a cached kid still verifies; a kid that needs a fetch is 503 until it ends', async () => {
    // Only Date is faked, so the back-off can end without a wait; the HTTP fetches are real.
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      const jwks = await server([await publicJwk(k1, 'k1')])
      const verifier = jwt({
        jwksUrl: jwks.url,
        algorithms: ['RS256'],
        issuer,
        audience,
        jwksCooldownMs: 0,
        jwksFailureBackoffMs: 60_000,
      })
      const cached = () => sign(k1.privateKey, 'RS256', {}, { kid: 'k1' })
      const unknown = (kid: string) => sign(k2.privateKey, 'RS256', {}, { kid })
      expect((await send(verifier, bearer(await cached()))).status).toBe(202)
      expect(jwks.requests).toBe(1)

      jwks.mode = 'error'
      // A made-up kid needs a fetch; the fetch fails and arms the back-off.
      expect(await send(verifier, bearer(await unknown('random-1')))).toMatchObject({
        status: 503,
        code: 'keys_unavailable',
      })
      expect(jwks.requests).toBe(2)
      for (let i = 0; i < 3; i++) {
        expect((await send(verifier, bearer(await cached()))).status).toBe(202)
        expect(await send(verifier, bearer(await unknown(`random-${i + 2}`)))).toMatchObject({
          status: 503,
          code: 'keys_unavailable',
        })
      }
      // A cached kid with a signature from another key is still the token's fault.
      const impostor = await send(verifier, bearer(await sign(stranger.privateKey, 'RS256', {}, { kid: 'k1' })))
      expect(impostor).toMatchObject({ status: 401, code: 'invalid_token' })
      expect(jwks.requests).toBe(2)

      // After the back-off, a kid that needs a fetch fetches again.
      jwks.mode = 'ok'
      jwks.keys = [await publicJwk(k1, 'k1'), await publicJwk(k2, 'k2')]
      vi.setSystemTime(Date.now() + 61_000)
      expect((await send(verifier, bearer(await unknown('k2')))).status).toBe(202)
      expect(jwks.requests).toBe(3)
    } finally {
      vi.useRealTimers()
    }
  })

  test('a key-set server that refuses connections or times out is 503 keys_unavailable', async () => {
    const closed = await startJwksServer([])
    const url = closed.url
    await closed.close()
    const token = await sign(k1.privateKey, 'RS256', {}, { kid: 'k1' })
    const refused = jwt({ jwksUrl: url, algorithms: ['RS256'], issuer, audience })
    expect(await send(refused, bearer(token))).toMatchObject({ status: 503, code: 'keys_unavailable' })

    const hanging = await server([])
    hanging.mode = 'hang'
    const slow = jwt({ jwksUrl: hanging.url, algorithms: ['RS256'], issuer, audience, jwksTimeoutMs: 200 })
    expect(await send(slow, bearer(token))).toMatchObject({ status: 503, code: 'keys_unavailable' })
    expect(hanging.requests).toBe(1)
  })

  test('an expired token signed by a listed key is token_expired', async () => {
    const jwks = await server([await publicJwk(k1, 'k1')])
    const verifier = jwt({ jwksUrl: jwks.url, algorithms: ['RS256'], issuer, audience })
    const now = Math.floor(Date.now() / 1000)
    const token = await sign(k1.privateKey, 'RS256', {}, { kid: 'k1', exp: now - 3600, iat: now - 7200 })
    expect(await send(verifier, bearer(token))).toMatchObject({ status: 401, code: 'token_expired' })
  })
})
