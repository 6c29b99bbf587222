import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type JwksServer, startJwksServer } from '../../test-support/jwks-server.js'
import { expectTenantKeys, tenantGuard, tenantNowSeconds } from '../../test-support/tenant-keys.js'
import { createGuard } from '../guard.js'
import { type JwtOptions, jwt } from './jwt.js'
import { type KeyContext, type KeyResolver, keyResolver } from './key-resolver.js'

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>

const issuer = 'https://issuer.example'
const audience = 'https://hooks.example'
const body = '{"hello":"world"}'

/** A token by `pair`, valid on the tenant guard's clock; every key set names its key `k1`, so the signature decides. */
function token(pair: KeyPair, iat = tenantNowSeconds): Promise<string> {
  return new SignJWT({ iss: issuer, aud: audience })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setIssuedAt(iat)
    .setExpirationTime(iat + 300)
    .sign(pair.privateKey)
}

const bearer = async (pair: KeyPair) => ({ headers: { authorization: `Bearer ${await token(pair)}` }, body })
const verifier = (jwksUrl: JwtOptions['jwksUrl'], more: { jwksFailureBackoffMs?: number } = {}) =>
  jwt({ jwksUrl, algorithms: ['ES256'], issuer, audience, ...more })

describe('jwt with a key-set URL per tenant', () => {
  const servers: JwksServer[] = []
  const pairs: KeyPair[] = []

  /** A key pair and a local JWKS server that lists its public key. */
  async function keySet(): Promise<{ pair: KeyPair; server: JwksServer }> {
    const pair = await generateKeyPair('ES256')
    const server = await startJwksServer([{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' }])
    servers.push(server)
    pairs.push(pair)
    return { pair, server }
  }

  let acme: Awaited<ReturnType<typeof keySet>>
  let globex: Awaited<ReturnType<typeof keySet>>
  beforeAll(async () => {
    acme = await keySet()
    globex = await keySet()
  })
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()))
  })

  test("a resolver of URLs: the tenant's own set's key accepted, another's refused, an unknown tenant 401, a failing lookup 503", async () => {
    const sets = [acme, globex]
    let next = 0
    await expectTenantKeys({
      refusal: 'invalid_token',
      newKey: () => {
        const set = sets[next++ % 2] as typeof acme
        return { key: set.server.url, signer: set.pair }
      },
      // The shared checks hand a resolver (a function) only.
      verifier: (keys) => verifier(keys as KeyResolver<string>),
      request: (pair) => bearer(pair),
    })
  })

  test('two tenants on two servers: each set fetched once; an unknown tenant fetches nothing', async () => {
    const own = await keySet()
    const other = await keySet()
    const urls: Record<string, string> = { acme: own.server.url, globex: other.server.url }
    const lookups: (string | undefined)[] = []
    const { send, enqueued } = tenantGuard(
      verifier(({ tenant }: KeyContext) => {
        lookups.push(tenant)
        return urls[tenant as string] ?? null
      }),
    )
    for (let i = 0; i < 3; i++) {
      expect((await send('acme', await bearer(own.pair))).code).toBe('accepted')
      expect((await send('globex', await bearer(other.pair))).code).toBe('accepted')
    }
    expect((await send('globex', await bearer(own.pair))).code).toBe('invalid_token')
    expect((await send('initech', await bearer(own.pair))).code).toBe('invalid_token')
    expect({ own: own.server.requests, other: other.server.requests }).toEqual({ own: 1, other: 1 })
    expect(lookups).toEqual(['acme', 'globex', 'initech'])
    expect(enqueued.map((event) => event.tenant)).toEqual(['acme', 'globex', 'acme', 'globex', 'acme', 'globex'])
  })

  test('tenants that name one URL share its set; a lookup again after the TTL finds the set still cached', async () => {
    const shared = await keySet()
    let clock = tenantNowSeconds * 1000
    const lookups: (string | undefined)[] = []
    const guard = createGuard({
      verify: [
        verifier(
          keyResolver(
            ({ tenant }) => {
              lookups.push(tenant)
              return shared.server.url
            },
            { ttlMs: 1_000 },
          ),
        ),
      ],
      enqueue: () => {},
      tenant: { param: 'tenant' },
      dedupe: false,
      now: () => clock,
    })
    const send = async (tenant: string) =>
      (
        await guard.process({
          method: 'POST',
          headers: { authorization: `Bearer ${await token(shared.pair, Math.floor(clock / 1000))}` },
          params: { tenant },
          body,
        })
      ).code
    expect([await send('acme'), await send('globex')]).toEqual(['accepted', 'accepted'])
    clock += 2_000
    expect(await send('acme')).toBe('accepted')
    expect(lookups).toEqual(['acme', 'globex', 'acme'])
    expect(shared.server.requests).toBe(1)
  })

  test('a set that cannot be fetched, or a resolved URL that is not https:, is 503 keys_unavailable', async () => {
    const down = await keySet()
    down.server.mode = 'error'
    const fetchFails = tenantGuard(verifier(() => down.server.url, { jwksFailureBackoffMs: 0 }))
    const failed = await fetchFails.send('acme', await bearer(down.pair))
    expect({ status: failed.status, code: failed.code }).toEqual({ status: 503, code: 'keys_unavailable' })
    expect(failed.headers['retry-after']).toMatch(/^[1-9][0-9]*$/)
    expect(down.server.requests).toBe(1)
    const plain = tenantGuard(verifier(() => 'http://keys.example/jwks.json'))
    expect((await plain.send('acme', await bearer(down.pair))).code).toBe('keys_unavailable')
    const notUrl = tenantGuard(verifier(() => 'not a url'))
    expect((await notUrl.send('acme', await bearer(down.pair))).code).toBe('keys_unavailable')
  })

  test('with a resolver the key-set timings are still checked at creation; a static URL is as before', () => {
    expect(() => jwt({ jwksUrl: () => null, algorithms: ['ES256'], issuer, audience, jwksTimeoutMs: 0 })).toThrow(
      'jwt: jwksTimeoutMs must be',
    )
    expect(() => jwt({ jwksUrl: () => null, algorithms: ['HS256'], issuer, audience })).toThrow(
      'jwt: algorithms: HS256 needs a secret, not a public key',
    )
    expect(() => jwt({ jwksUrl: 'http://keys.example/jwks', algorithms: ['ES256'], issuer, audience })).toThrow(
      'jwt: jwksUrl must be https: (http: only for localhost)',
    )
  })
})
