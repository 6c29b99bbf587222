import { createHash, createHmac, generateKeyPairSync, randomBytes, sign } from 'node:crypto'
import fc from 'fast-check'
import { SignJWT } from 'jose'
import { describe, expect, test } from 'vitest'
import { signV1 } from '../test-support/sign.js'
import { createGuard } from './guard.js'
import { github } from './presets/github.js'
import type { TlsPeer, WebhookEvent } from './types.js'
import { asymmetricSignature } from './verify/asymmetric-signature.js'
import { basicAuth } from './verify/basic-auth.js'
import { bearerToken } from './verify/bearer-token.js'
import { clientCertificate } from './verify/client-certificate.js'
import { jwt } from './verify/jwt.js'
import { type KeyContext, keyResolver } from './verify/key-resolver.js'
import { standardWebhooks } from './verify/standard-webhooks.js'
import type { Verifier } from './verify/verifier.js'

const nowSeconds = 1_700_000_000
const now = () => nowSeconds * 1000
const body = JSON.stringify({ type: 'ping' })

/** What one request carries: its headers, and the client certificate for mTLS. */
interface Signed {
  headers: Record<string, string>
  tls?: TlsPeer
}

/** One key-taking verifier: a fresh key per tenant, the verifier over a resolver, and a request signed with a key. */
interface Kind<K> {
  name: string
  code: string
  newKey(): { key: K; signer: unknown }
  verifier(resolve: (ctx: KeyContext) => K[] | null): Verifier
  sign(signer: unknown): Signed | Promise<Signed>
}

function ed25519Pair() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  return { publicKey, privateKey }
}

/** Signed messages made so far: they alternate between the two algorithms. */
let signedMessages = 0

const kinds: Kind<unknown>[] = [
  {
    name: 'hmacSignature (the github preset)',
    code: 'invalid_signature',
    newKey: () => {
      const secret = randomBytes(16).toString('hex')
      return { key: secret, signer: secret }
    },
    verifier: (resolve) => github({ secret: resolve as (ctx: KeyContext) => string[] }),
    sign: (secret) => ({
      headers: {
        'x-hub-signature-256': `sha256=${createHmac('sha256', secret as string)
          .update(body)
          .digest('hex')}`,
        'x-github-delivery': randomBytes(8).toString('hex'),
      },
    }),
  },
  {
    name: 'standardWebhooks v1',
    code: 'invalid_signature',
    newKey: () => {
      const key = randomBytes(24)
      return { key: `whsec_${key.toString('base64')}`, signer: key }
    },
    verifier: (resolve) => standardWebhooks({ secret: resolve as (ctx: KeyContext) => string[] }),
    sign: (key) => ({
      headers: {
        'webhook-id': 'msg_1',
        'webhook-timestamp': String(nowSeconds),
        'webhook-signature': signV1(key as Buffer, 'msg_1', nowSeconds, body),
      },
    }),
  },
  {
    name: 'standardWebhooks v1a',
    code: 'invalid_signature',
    newKey: () => {
      const pair = ed25519Pair()
      const raw = pair.publicKey.export({ format: 'der', type: 'spki' }).subarray(-32)
      return { key: `whpk_${raw.toString('base64')}`, signer: pair.privateKey }
    },
    verifier: (resolve) => standardWebhooks({ publicKey: resolve as (ctx: KeyContext) => string[] }),
    sign: (privateKey) => ({
      headers: {
        'webhook-id': 'msg_1',
        'webhook-timestamp': String(nowSeconds),
        'webhook-signature': `v1a,${sign(null, Buffer.from(`msg_1.${nowSeconds}.${body}`), privateKey as never).toString('base64')}`,
      },
    }),
  },
  {
    name: 'bearerToken',
    code: 'invalid_token',
    newKey: () => {
      const token = randomBytes(16).toString('hex')
      return { key: token, signer: token }
    },
    verifier: (resolve) => bearerToken({ tokens: resolve as (ctx: KeyContext) => string[] }),
    sign: (token) => ({ headers: { authorization: `Bearer ${token}` } }),
  },
  {
    name: 'basicAuth',
    code: 'invalid_token',
    newKey: () => {
      const credential = { username: 'sender', password: randomBytes(8).toString('hex') }
      return { key: credential, signer: credential }
    },
    verifier: (resolve) =>
      basicAuth({ credentials: resolve as (ctx: KeyContext) => { username: string; password: string }[] }),
    sign: (c) => {
      const { username, password } = c as { username: string; password: string }
      return { headers: { authorization: `Basic ${btoa(`${username}:${password}`)}` } }
    },
  },
  {
    name: 'jwt with secrets',
    code: 'invalid_token',
    newKey: () => {
      const secret = randomBytes(32).toString('hex')
      return { key: secret, signer: new TextEncoder().encode(secret) }
    },
    verifier: (resolve) =>
      jwt({
        secret: resolve as (ctx: KeyContext) => string[],
        algorithms: ['HS256'],
        issuer: 'sender',
        audience: 'hooks',
      }),
    sign: async (secret) => ({ headers: { authorization: `Bearer ${await token(secret as Uint8Array, 'HS256')}` } }),
  },
  {
    name: 'jwt with public keys',
    code: 'invalid_token',
    newKey: () => {
      const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      return { key: publicKey.export({ format: 'pem', type: 'spki' }) as string, signer: privateKey }
    },
    verifier: (resolve) =>
      jwt({
        publicKey: resolve as (ctx: KeyContext) => string[],
        algorithms: ['ES256'],
        issuer: 'sender',
        audience: 'hooks',
      }),
    sign: async (privateKey) => ({
      headers: { authorization: `Bearer ${await token(privateKey as never, 'ES256')}` },
    }),
  },
  {
    name: 'asymmetricSignature',
    code: 'invalid_signature',
    newKey: () => {
      const pair = ed25519Pair()
      return { key: pair.publicKey.export({ format: 'pem', type: 'spki' }) as string, signer: pair.privateKey }
    },
    verifier: (resolve) =>
      asymmetricSignature({
        publicKey: resolve as (ctx: KeyContext) => string[],
        algorithm: 'ed25519',
        header: 'x-signature',
        encoding: 'base64',
      }),
    sign: (privateKey) => ({
      headers: { 'x-signature': sign(null, Buffer.from(body), privateKey as never).toString('base64') },
    }),
  },
  {
    // The per-algorithm keys of a signed message (as SNS signs): each tenant's key is imported for both algorithms.
    name: 'asymmetricSignature with signedMessage and two algorithms',
    code: 'invalid_signature',
    newKey: () => {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 })
      return { key: pair.publicKey.export({ format: 'pem', type: 'spki' }) as string, signer: pair.privateKey }
    },
    verifier: (resolve) =>
      asymmetricSignature({
        publicKey: resolve as (ctx: KeyContext) => string[],
        algorithm: ['rsa-pkcs1-sha1', 'rsa-pkcs1-sha256'],
        encoding: 'base64',
        signedMessage: (ctx) => ({
          signature: ctx.headers['x-signature'] as string,
          signed: [ctx.body],
          algorithm: ctx.headers['x-algorithm'] === 'sha1' ? 'rsa-pkcs1-sha1' : 'rsa-pkcs1-sha256',
        }),
      }),
    sign: (privateKey) => {
      const hash = signedMessages++ % 2 === 0 ? 'sha256' : 'sha1'
      return {
        headers: {
          'x-algorithm': hash,
          'x-signature': sign(hash, Buffer.from(body), privateKey as never).toString('base64'),
        },
      }
    },
  },
  {
    name: 'clientCertificate fingerprints',
    code: 'client_certificate_rejected',
    newKey: () => {
      const fingerprint = createHash('sha256').update(randomBytes(16)).digest('hex').toUpperCase()
      const colons = fingerprint.match(/../g)?.join(':') as string
      return { key: colons, signer: colons }
    },
    verifier: (resolve) => clientCertificate({ fingerprints256: resolve as (ctx: KeyContext) => string[] }),
    sign: (fingerprint) => ({ headers: {}, tls: { authorized: true, fingerprint256: fingerprint as string } }),
  },
]

function token(key: Uint8Array | CryptoKey, alg: string): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg })
    .setIssuer('sender')
    .setAudience('hooks')
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + 60)
    .sign(key)
}

/** A guard naming the tenant by the path parameter `tenant`, with the verifier and an enqueue that records. */
function guardFor(verifier: Verifier) {
  const enqueued: WebhookEvent[] = []
  const guard = createGuard({
    verify: [verifier],
    enqueue: (event) => void enqueued.push(event),
    tenant: { param: 'tenant' },
    dedupe: false,
    now,
  })
  const send = async (tenant: string, signed: Signed) =>
    guard.process({
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signed.headers },
      params: { tenant },
      body,
      ...(signed.tls ? { tls: signed.tls } : {}),
    })
  return { guard, enqueued, send }
}

describe('every key-taking verifier takes a key resolver', () => {
  for (const kind of kinds) {
    test(`${kind.name}: own key accepted, another tenant's refused, an unknown tenant refused alike`, async () => {
      const acme = kind.newKey()
      const globex = kind.newKey()
      const table: Record<string, unknown[]> = { acme: [acme.key], globex: [globex.key] }
      const asked: (string | undefined)[] = []
      const { send, enqueued } = guardFor(
        kind.verifier((ctx) => {
          asked.push(ctx.tenant)
          expect(ctx).not.toHaveProperty('body')
          return table[ctx.tenant as string] ?? null
        }),
      )
      expect((await send('acme', await kind.sign(acme.signer))).code).toBe('accepted')
      expect((await send('globex', await kind.sign(acme.signer))).code).toBe(kind.code)
      expect((await send('initech', await kind.sign(acme.signer))).code).toBe(kind.code)
      expect((await send('globex', await kind.sign(globex.signer))).code).toBe('accepted')
      expect(enqueued.map((e) => e.tenant)).toEqual(['acme', 'globex'])
      expect(asked).toEqual(['acme', 'globex', 'initech'])
    })
  }
})

describe('the resolver cache', () => {
  const secret = 'the acme secret'
  const signed = () => kinds[0]?.sign(secret) as Signed

  test('an unknown tenant is remembered for negativeTtlMs, a known one for ttlMs, by the guard clock', async () => {
    let clock = now()
    const asked: string[] = []
    const resolve = keyResolver(
      (ctx) => {
        asked.push(ctx.tenant as string)
        return ctx.tenant === 'acme' ? secret : null
      },
      { ttlMs: 10_000, negativeTtlMs: 1_000 },
    )
    const guard = createGuard({
      verify: [github({ secret: resolve })],
      enqueue: () => {},
      tenant: { param: 'tenant' },
      dedupe: false,
      // The timestamps of the github preset are not signed: the clock moves freely.
      now: () => clock,
    })
    const send = (tenant: string) =>
      guard.process({ method: 'POST', headers: signed().headers, params: { tenant }, body })
    expect((await send('acme')).code).toBe('accepted')
    expect((await send('nobody')).code).toBe('invalid_signature')
    clock += 999
    await send('acme')
    await send('nobody')
    expect(asked).toEqual(['acme', 'nobody'])
    clock += 2
    await send('nobody')
    expect(asked).toEqual(['acme', 'nobody', 'nobody'])
    clock += 10_000
    expect((await send('acme')).code).toBe('accepted')
    expect(asked).toEqual(['acme', 'nobody', 'nobody', 'acme'])
  })

  test('at most maxTenants are kept; the least recently used goes first', async () => {
    const asked: string[] = []
    const resolve = keyResolver(
      (ctx) => {
        asked.push(ctx.tenant as string)
        return secret
      },
      { maxTenants: 2 },
    )
    const { send } = guardFor(github({ secret: resolve }))
    for (const tenant of ['a', 'b', 'a', 'c', 'a', 'b']) expect((await send(tenant, signed())).code).toBe('accepted')
    // c pushed b out (a was used after it); b comes back with a lookup.
    expect(asked).toEqual(['a', 'b', 'c', 'b'])
  })

  test('a resolver that returns a key the verifier cannot use is 503 keys_unavailable, not cached', async () => {
    let calls = 0
    const { send } = guardFor(
      standardWebhooks({
        secret: () => {
          calls += 1
          return ['whsec_not base64!']
        },
      }),
    )
    const reply = await send('acme', kinds[1]?.sign(randomBytes(24)) as Signed)
    expect(reply.code).toBe('keys_unavailable')
    expect(reply.headers['retry-after']).toBe('5')
    await send('acme', kinds[1]?.sign(randomBytes(24)) as Signed)
    expect(calls).toBe(2)
  })

  test('options are checked at creation, in the one voice', () => {
    expect(() => keyResolver(() => null, { ttlMs: 0 })).toThrow('keyResolver: ttlMs must be a positive number')
    expect(() => keyResolver(() => null, { maxTenants: 1.5 })).toThrow(
      'keyResolver: maxTenants must be a positive integer',
    )
    expect(() => keyResolver('nope' as never)).toThrow('keyResolver: resolve must be a function')
    expect(() => github({ secret: [{ key: 's', notBefore: 2, notAfter: 1 }] })).toThrow(
      'github: secret[0].notAfter must be at or after its notBefore',
    )
    expect(() => github({ secret: [{ key: 's', notBefore: Number.NaN }] })).toThrow(
      'github: secret[0].notBefore must be a Date or Unix milliseconds',
    )
    const base = { verify: [github({ secret: 's' })], enqueue: () => {} }
    expect(() => createGuard({ ...base, tenant: { param: '' } })).toThrow(
      'createGuard: tenant.param must be a non-empty string',
    )
    expect(() => createGuard({ ...base, tenant: {} as never })).toThrow(
      'createGuard: tenant must be { param }, { header } or { claim }',
    )
  })
})

describe('a tenant named by a verified JWT claim', () => {
  test("the verifiers after the JWT see its claim's tenant; its keys are that tenant's", async () => {
    const jwtSecret = new TextEncoder().encode('the platform signs its tokens with this secret')
    const tokens: Record<string, string> = { acme: 'acme-token', globex: 'globex-token' }
    const guard = createGuard({
      verify: [
        jwt({ secret: jwtSecret, algorithms: ['HS256'], issuer: 'sender', audience: 'hooks' }),
        bearerToken({ header: 'x-tenant-token', tokens: ({ tenant }) => tokens[tenant as string] ?? null }),
      ],
      enqueue: () => {},
      tenant: { claim: 'tenant' },
      dedupe: false,
      now,
    })
    const send = async (claims: Record<string, unknown>, tenantToken: string) => {
      const signedToken = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('sender')
        .setAudience('hooks')
        .setExpirationTime(nowSeconds + 60)
        .sign(jwtSecret)
      return guard.process({
        method: 'POST',
        headers: { authorization: `Bearer ${signedToken}`, 'x-tenant-token': tenantToken },
        body,
      })
    }
    const accepted = await send({ tenant: 'acme' }, 'acme-token')
    expect(accepted.code).toBe('accepted')
    expect(accepted.event?.tenant).toBe('acme')
    expect((await send({ tenant: 'globex' }, 'acme-token')).code).toBe('invalid_token')
    expect((await send({ tenant: 'a b' }, 'acme-token')).code).toBe('invalid_tenant')
    expect((await send({}, 'acme-token')).code).toBe('invalid_tenant')
  })
})

describe('the JWT path with the native verifier', () => {
  const jwtSecret = new TextEncoder().encode('a tenant secret of reasonable length!!')
  const context = (authorization: string, tenant: string | undefined) => ({
    method: 'POST',
    headers: { authorization },
    body: new TextEncoder().encode(body),
    params: {},
    tls: undefined,
    tenant,
    nowMs: now(),
    toleranceSeconds: 300,
  })

  test('a static key checks a token without a promise (a fixed keyring calls the check directly)', async () => {
    const verifier = jwt({ secret: jwtSecret, algorithms: ['HS256'], issuer: 'sender', audience: 'hooks' })
    const result = verifier.verify(context(`Bearer ${await token(jwtSecret, 'HS256')}`, undefined))
    expect(result).not.toBeInstanceOf(Promise)
    expect(result).toMatchObject({ timestamp: nowSeconds })
    const wrong = await token(new TextEncoder().encode('another secret of reasonable length!!!'), 'HS256')
    let thrown: unknown
    try {
      verifier.verify(context(`Bearer ${wrong}`, undefined))
    } catch (error) {
      thrown = error
    }
    expect(thrown).toMatchObject({ code: 'invalid_token', detail: 'signature verification failed' })
  })

  test("a resolved tenant's token: looked up once, then checked without a promise while cached", async () => {
    let lookups = 0
    const verifier = jwt({
      secret: async ({ tenant }) => {
        lookups++
        return tenant === 'acme' ? [jwtSecret] : null
      },
      algorithms: ['HS256'],
      issuer: 'sender',
      audience: 'hooks',
    })
    const bearer = `Bearer ${await token(jwtSecret, 'HS256')}`
    const first = verifier.verify(context(bearer, 'acme'))
    expect(first).toBeInstanceOf(Promise)
    await expect(first).resolves.toMatchObject({ timestamp: nowSeconds })
    const cached = verifier.verify(context(bearer, 'acme'))
    expect(cached).not.toBeInstanceOf(Promise)
    expect(lookups).toBe(1)
    await expect(async () => verifier.verify(context(bearer, 'initech'))).rejects.toMatchObject({
      code: 'invalid_token',
    })
  })
})

describe('properties', () => {
  test('a delivery is accepted exactly when signed with a key the resolver returns for its own tenant', async () => {
    const tenantArb = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,11}$/)
    const secretArb = fc.stringMatching(/^[A-Za-z0-9]{8,16}$/)
    const tableArb = fc.dictionary(tenantArb, fc.array(secretArb, { minLength: 1, maxLength: 3 }), {
      minKeys: 1,
      maxKeys: 5,
    })
    // The target is often a tenant of the table, the key often one of some tenant's (its own or another's).
    const caseArb = tableArb.chain((table) =>
      fc.record({
        table: fc.constant(table),
        tenant: fc.oneof(fc.constantFrom(...Object.keys(table)), tenantArb),
        key: fc.oneof(fc.constantFrom(...Object.values(table).flat()), secretArb),
      }),
    )
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ table, tenant, key }) => {
        const lookup = (t: string | undefined) => (t !== undefined && Object.hasOwn(table, t) ? table[t] : null)
        const { send } = guardFor(github({ secret: ({ tenant: t }) => lookup(t) }))
        const reply = await send(tenant, kinds[0]?.sign(key) as Signed)
        const own = lookup(tenant)?.includes(key) === true
        expect(reply.code).toBe(own ? 'accepted' : 'invalid_signature')
      }),
      { numRuns: 300 },
    )
  })
})
