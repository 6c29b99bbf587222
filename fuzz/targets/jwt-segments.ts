import { createHmac } from 'node:crypto'
import { jwt, type VerifyContext } from '@hookguard/core'
import fc from 'fast-check'
import { adversarialLength, adversarialTexts, anyText, mutationsOf } from '../arbitraries.js'
import { type FuzzTarget, outcome, WrongOutcome } from '../fuzz-target.js'

const secret = 'hookguard fuzz jwt secret, long enough'
const nowSeconds = 1_700_000_000
const verifier = jwt({ secret, algorithms: ['HS256'], issuer: 'sender', audience: 'hooks' })

const encode = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')
const mac = (signingInput: string) => createHmac('sha256', secret).update(signingInput).digest()

/** A compact JWS over these header and payload texts, signed with the secret. */
function signed(header: unknown, payload: unknown): string {
  const signingInput = `${encode(header)}.${encode(payload)}`
  return `${signingInput}.${mac(signingInput).toString('base64url')}`
}

const claims = { iss: 'sender', aud: 'hooks', exp: nowSeconds + 600, iat: nowSeconds }
const validTokens = [
  signed({ alg: 'HS256', typ: 'JWT' }, claims),
  signed({ alg: 'HS256' }, { ...claims, sub: 'x', nested: { a: [1, 2, 3] } }),
]

/** What may pass: an HS256 header and a MAC that checks out, over claims that are in date and addressed to us. */
function acceptable(token: string): boolean {
  const segments = token.split('.')
  if (segments.length !== 3 || segments.some((segment) => !/^[A-Za-z0-9_-]+$/.test(segment))) return false
  const [header = '', payload = '', signature = ''] = segments
  if (!mac(`${header}.${payload}`).equals(Buffer.from(signature, 'base64url'))) return false
  try {
    const protectedHeader = JSON.parse(Buffer.from(header, 'base64url').toString())
    const body = JSON.parse(Buffer.from(payload, 'base64url').toString())
    return (
      protectedHeader.alg === 'HS256' &&
      protectedHeader.crit === undefined &&
      body.iss === 'sender' &&
      body.aud === 'hooks' &&
      body.exp > nowSeconds - 60
    )
  } catch {
    return false
  }
}

function context(authorization: string): VerifyContext {
  return {
    method: 'POST',
    headers: { authorization },
    body: new Uint8Array(0),
    params: {},
    tls: undefined,
    nowMs: nowSeconds * 1000,
    toleranceSeconds: 300,
  }
}

const jsonish = fc.oneof(
  fc.json(),
  fc.constantFrom(
    '{"alg":"none"}',
    '{"alg":"HS512"}',
    '{"alg":"RS256"}',
    '{"alg":"HS256","crit":["b64"],"b64":false}',
    '[]',
    'null',
  ),
  fc.integer({ min: 1, max: 2000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
)
const forged = fc
  .tuple(
    jsonish,
    fc.oneof(fc.json(), fc.constant(JSON.stringify(claims))),
    fc.oneof(fc.constant(''), anyText(60).map(encode)),
  )
  .map(([header, payload, signature]) => `${encode(header)}.${encode(payload)}.${signature}`)
/** Re-signed with the right key but a header or claims that must not pass. */
const wronglySigned = fc
  .tuple(
    fc.constantFrom(
      { alg: 'none' },
      { alg: 'HS512' },
      { alg: 'hs256' },
      { alg: 'HS256', crit: ['exp'] },
      { alg: 'HS256', b64: false, crit: ['b64'] },
    ),
    fc.constantFrom(
      claims,
      { ...claims, exp: nowSeconds - 3600 },
      { ...claims, aud: 'other' },
      { ...claims, iss: 'x' },
      { iss: 'sender', aud: 'hooks' },
    ),
  )
  .map(([header, payload]) => signed(header, payload))
const segmentGames = fc
  .tuple(fc.constantFrom(...validTokens), fc.constantFrom('swap', 'pad', 'dots', 'drop', 'double'))
  .map(([token, game]) => {
    const [h, p, s] = token.split('.')
    if (game === 'swap') return `${p}.${h}.${s}`
    if (game === 'pad') return `${h}==.${p}=.${s}=`
    if (game === 'dots') return `${h}..${p}.${s}`
    if (game === 'drop') return `${h}.${p}.`
    return `${token}.${s}`
  })

export const jwtSegmentsTarget: FuzzTarget<string> = {
  name: 'JWT segments',
  input: fc.oneof(
    fc.constantFrom(...validTokens),
    mutationsOf(fc.constantFrom(...validTokens)),
    forged,
    wronglySigned,
    segmentGames,
    anyText(120),
  ),
  async run(token) {
    const result = await outcome('request', () => verifier.verify(context(`Bearer ${token}`)))
    // `Bearer ${token}` is trimmed, and spaces after the scheme are one separator.
    if (result.accepted !== acceptable(token.trimEnd().replace(/^ +/, ''))) {
      throw new WrongOutcome(`${result.accepted ? 'accepted' : 'refused'} ${JSON.stringify(token).slice(0, 300)}`)
    }
  },
  adversarial: [
    ...adversarialTexts(['eyJ', `${validTokens[0]?.split('.')[0]}.`], ['a.', '.a', 'A', '_-']),
    `${encode({ alg: 'HS256' })}.${'A'.repeat(adversarialLength - 60)}.${'A'.repeat(43)}`,
    signed({ alg: 'HS256', pad: '['.repeat(8000) }, claims),
    signed({ alg: 'HS256' }, `${'['.repeat(5000)}${']'.repeat(5000)}`),
  ].map((token) => token.slice(0, adversarialLength)),
}
