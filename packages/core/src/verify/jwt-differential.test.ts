import { constants, createHmac, generateKeyPairSync, type KeyObject, sign } from 'node:crypto'
import fc from 'fast-check'
import { errors, importSPKI, type JWTPayload, jwtVerify } from 'jose'
import { beforeAll, describe, expect, test } from 'vitest'
import { WebhookError } from '../errors.js'
import { jwt } from './jwt.js'
import type { Verifier, VerifyContext } from './verifier.js'

/**
 * hookguard's own JWS verification against jose's `jwtVerify` (the verifier it
 * replaced on the hot path): random claims, headers, keys, algorithms and
 * tampering; both must agree on accept, `token_expired` or `invalid_token`.
 * The one rule hookguard adds to jose's is modelled here: `exp`, `nbf` and
 * `iat` must be whole seconds (jwt.test.ts has its cases).
 */

const issuer = 'https://issuer.example'
const audience = 'https://hooks.example'
const nowMs = 1_700_000_000_500
const now = Math.floor(nowMs / 1000)

const algorithms = ['HS256', 'HS384', 'HS512', 'RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'] as const
type Alg = (typeof algorithms)[number]

interface Keys {
  /** What the token is signed with. */
  signing: KeyObject | Uint8Array
  /** Another key of the same kind: a token signed with it must fail. */
  stranger: KeyObject | Uint8Array
  /** What the verifiers are given: the secret, or the public key's PEM. */
  verifying: Uint8Array | string
}

const keys = new Map<Alg, Keys>()

function pairOf(alg: Alg) {
  if (alg.startsWith('RS') || alg.startsWith('PS')) return generateKeyPairSync('rsa', { modulusLength: 2048 })
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' })
  if (alg === 'ES384') return generateKeyPairSync('ec', { namedCurve: 'P-384' })
  return generateKeyPairSync('ed25519')
}

const b64url = (text: string) => Buffer.from(text).toString('base64url')

function signatureOf(alg: string, key: KeyObject | Uint8Array, input: string): string {
  const bits = alg.slice(2)
  if (key instanceof Uint8Array)
    return createHmac(`sha${bits === 'DSA' ? '256' : bits}`, key)
      .update(input)
      .digest('base64url')
  const data = Buffer.from(input)
  if (alg.startsWith('PS')) {
    return sign(`sha${bits}`, data, {
      key,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: Number(bits) / 8,
    }).toString('base64url')
  }
  if (alg.startsWith('ES')) return sign(`sha${bits}`, data, { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')
  if (alg === 'EdDSA') return sign(null, data, key).toString('base64url')
  return sign(`sha${bits}`, data, key).toString('base64url')
}

/** A time claim: mostly whole seconds near now, sometimes what a hostile sender writes. */
const timeClaim = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -4000, max: 4000 }).map((d) => String(now + d)) },
  { weight: 1, arbitrary: fc.constantFrom('1e400', '-1e400', '1.5', `${now + 100}.5`, '"soon"', 'null', '1e300', '0') },
)

/** Mostly `usual`, sometimes one of `others`, sometimes absent. */
function mostly(usual: string, ...others: string[]): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constant(usual) },
    { weight: 1, arbitrary: fc.constantFrom(...others) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  )
}

/** Rarely present, as one of `values`. */
function rarely(...values: string[]): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom(...values) },
  )
}

const timeOrAbsent = fc.oneof({ weight: 4, arbitrary: timeClaim }, { weight: 1, arbitrary: fc.constant(undefined) })

const claimsArb = fc.record({
  iss: mostly(`"${issuer}"`, '"https://evil.example"', '42', 'null'),
  aud: mostly(`"${audience}"`, `["x","${audience}"]`, '["x"]', '"other"', '7', `[1,"${audience}"]`),
  exp: timeOrAbsent,
  nbf: rarely(String(now - 10), String(now + 200), String(now + 30), '1.5', '1e400', '-1e400'),
  iat: timeOrAbsent,
  sub: rarely('"sender"', '1'),
  jti: rarely('"j1"', '""'),
})

/** `crit` and `b64` together, since only `crit: ["b64"]` gives `b64` a meaning. */
const extensionArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant({}) },
  {
    weight: 2,
    arbitrary: fc.record({ crit: fc.constant('["b64"]'), b64: fc.constantFrom('true', 'false', '"yes"', undefined) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      crit: fc.constantFrom('[]', '["exp"]', '"b64"', '[""]', '["b64","b64"]'),
      b64: fc.constantFrom('true', 'false', undefined),
    }),
  },
  { weight: 1, arbitrary: fc.record({ b64: fc.constantFrom('true', 'false') }) },
)

const headerArb = fc
  .tuple(fc.record({ typ: rarely('"JWT"', '"at+jwt"', '1'), kid: rarely('"k1"', '""') }), extensionArb)
  .map(([fields, extension]) => ({ ...fields, ...extension }))

const tamperArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: 'none' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('flip' as const),
      part: fc.integer({ min: 0, max: 2 }),
      at: fc.nat(),
      to: fc.nat(63),
    }),
  },
  { weight: 1, arbitrary: fc.constantFrom('stranger', 'truncate', 'claims-array').map((kind) => ({ kind }) as const) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('HS256', 'RS256', 'none', 'ES256', '').map((alg) => ({ kind: 'alg' as const, alg })),
  },
)

const optionsArb = fc.record({
  clockToleranceSeconds: fc.constantFrom(0, 60, 300),
  maxTokenAgeSeconds: fc.constantFrom(undefined, 120, 3600),
  requireExpiration: fc.boolean(),
  requiredClaims: fc.constantFrom([], ['jti'], ['sub', 'jti']),
  issuer: fc.constantFrom<string | string[] | null>(issuer, ['https://other.example', issuer], null),
  audience: fc.constantFrom<string | string[] | null>(audience, null),
})

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

function object(fields: Record<string, string | undefined>): string {
  const entries = Object.entries(fields).filter(([, v]) => v !== undefined)
  return `{${entries.map(([k, v]) => `"${k}":${v}`).join(',')}}`
}

function tokenFor(
  alg: Alg,
  header: Record<string, string | undefined>,
  claims: Record<string, string | undefined>,
  tamper:
    | { readonly kind: 'none' | 'stranger' | 'truncate' | 'claims-array' }
    | { kind: 'flip'; part: number; at: number; to: number }
    | { kind: 'alg'; alg: string },
): string {
  const key = keys.get(alg) as Keys
  const headerAlg = tamper.kind === 'alg' ? tamper.alg : alg
  const encodedHeader = b64url(object({ alg: `"${headerAlg}"`, ...header }))
  const encodedClaims = b64url(tamper.kind === 'claims-array' ? '[1,2]' : object(claims))
  const input = `${encodedHeader}.${encodedClaims}`
  const signature = signatureOf(alg, tamper.kind === 'stranger' ? key.stranger : key.signing, input)
  const parts = [encodedHeader, encodedClaims, signature]
  if (tamper.kind === 'truncate') parts[2] = signature.slice(0, -1)
  if (tamper.kind === 'flip') {
    const part = parts[tamper.part] as string
    const at = tamper.at % part.length
    parts[tamper.part] = part.slice(0, at) + alphabet[tamper.to] + part.slice(at + 1)
  }
  return parts.join('.')
}

type Outcome = 'accepted' | 'token_expired' | 'invalid_token' | 'keys_unavailable' | 'missing_credentials'

/** jose's verdict, plus hookguard's whole-seconds rule. */
async function joseVerdict(token: string, alg: Alg, options: Record<string, unknown>): Promise<Outcome> {
  const key = keys.get(alg) as Keys
  const verifyingKey =
    typeof key.verifying === 'string' ? await importSPKI(key.verifying, alg) : (key.verifying as Uint8Array)
  const required = [...(options.requiredClaims as string[])]
  if (options.requireExpiration) required.push('exp')
  let payload: JWTPayload
  try {
    payload = (
      await jwtVerify(token, verifyingKey, {
        algorithms: [alg],
        clockTolerance: options.clockToleranceSeconds as number,
        requiredClaims: required,
        currentDate: new Date(nowMs),
        ...(options.issuer === null ? {} : { issuer: options.issuer as string }),
        ...(options.audience === null ? {} : { audience: options.audience as string }),
        ...(options.maxTokenAgeSeconds === undefined ? {} : { maxTokenAge: options.maxTokenAgeSeconds as number }),
      })
    ).payload
  } catch (error) {
    if (error instanceof errors.JWTExpired) return wholeSeconds(error.payload) ? 'token_expired' : 'invalid_token'
    return 'invalid_token'
  }
  return wholeSeconds(payload) ? 'accepted' : 'invalid_token'
}

function wholeSeconds(claims: JWTPayload): boolean {
  return (['exp', 'nbf', 'iat'] as const).every((c) => claims[c] === undefined || Number.isSafeInteger(claims[c]))
}

async function ourVerdict(verifier: Verifier, token: string): Promise<Outcome> {
  const ctx: VerifyContext = {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: new Uint8Array(0),
    params: {},
    tls: undefined,
    nowMs,
    toleranceSeconds: 300,
  }
  try {
    await verifier.verify(ctx)
    return 'accepted'
  } catch (error) {
    if (error instanceof WebhookError) return error.code as Outcome
    throw error
  }
}

const verifiers = new Map<string, Verifier>()

function verifierFor(alg: Alg, options: Record<string, unknown>): Verifier {
  const id = JSON.stringify([alg, options])
  let verifier = verifiers.get(id)
  if (verifier === undefined) {
    const key = keys.get(alg) as Keys
    const source = typeof key.verifying === 'string' ? { publicKey: key.verifying } : { secret: key.verifying }
    verifier = jwt({
      ...source,
      algorithms: [alg],
      issuer: options.issuer as string | null,
      audience: options.audience as string | null,
      clockToleranceSeconds: options.clockToleranceSeconds as number,
      requireExpiration: options.requireExpiration as boolean,
      requiredClaims: options.requiredClaims as string[],
      ...(options.maxTokenAgeSeconds === undefined ? {} : { maxTokenAgeSeconds: options.maxTokenAgeSeconds as number }),
    })
    verifiers.set(id, verifier)
  }
  return verifier
}

describe('jwt verifies as jose does (differential, fast-check)', () => {
  beforeAll(() => {
    for (const alg of algorithms) {
      if (alg.startsWith('HS')) {
        const secret = new TextEncoder().encode(`differential ${alg} secret, long enough for any HS`)
        keys.set(alg, { signing: secret, stranger: new TextEncoder().encode('another secret'), verifying: secret })
      } else {
        const pair = pairOf(alg)
        const pem = pair.publicKey.export({ type: 'spki', format: 'pem' }) as string
        keys.set(alg, { signing: pair.privateKey, stranger: pairOf(alg).privateKey, verifying: pem })
      }
    }
  })

  test('random claims, headers, options and tampering: the same verdict', async () => {
    let accepted = 0
    let expired = 0
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...algorithms),
        headerArb,
        claimsArb,
        tamperArb,
        optionsArb,
        async (alg, header, claims, tamper, options) => {
          const token = tokenFor(alg, header, claims, tamper)
          const expected = await joseVerdict(token, alg, options)
          const actual = await ourVerdict(verifierFor(alg, options), token)
          if (expected === 'accepted') accepted++
          if (expected === 'token_expired') expired++
          expect({ token, actual }).toEqual({ token, actual: expected })
        },
      ),
      { numRuns: 600 },
    )
    // The generators reach every verdict, or the agreement above says little.
    expect(accepted).toBeGreaterThan(0)
    expect(expired).toBeGreaterThan(0)
  }, 120_000)

  test('well-formed tokens of every algorithm are accepted by both, and any one flipped character refused by both', async () => {
    const good = { iss: `"${issuer}"`, aud: `"${audience}"`, iat: String(now), exp: String(now + 300) }
    const options = {
      clockToleranceSeconds: 60,
      maxTokenAgeSeconds: undefined,
      requireExpiration: true,
      requiredClaims: [],
      issuer,
      audience,
    }
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...algorithms), fc.nat(), fc.nat(63), async (alg, at, to) => {
        const token = tokenFor(alg, { typ: '"JWT"' }, good, { kind: 'none' })
        expect(await ourVerdict(verifierFor(alg, options), token)).toBe('accepted')
        const i = at % token.length
        if (token[i] === '.' || token[i] === alphabet[to]) return
        const flipped = token.slice(0, i) + alphabet[to] + token.slice(i + 1)
        const expected = await joseVerdict(flipped, alg, options)
        expect(await ourVerdict(verifierFor(alg, options), flipped)).toBe(expected)
      }),
      { numRuns: 400 },
    )
  }, 120_000)
})
