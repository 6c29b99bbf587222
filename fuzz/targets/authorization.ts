import { bearerToken, type VerifyContext } from '@hookguard/core'
import fc from 'fast-check'
import { adversarialTexts, anyText, mutationsOf } from '../arbitraries.js'
import { expectDecision, type FuzzTarget, outcome } from '../fuzz-target.js'

const token = 'tok_Right-9.~+/='
const inAuthorization = bearerToken({ tokens: token })
const inCustomHeader = bearerToken({ tokens: token, header: 'x-webhook-token' })

function context(headers: Record<string, string>): VerifyContext {
  return {
    method: 'POST',
    headers,
    body: new Uint8Array(0),
    params: {},
    tls: undefined,
    nowMs: 0,
    toleranceSeconds: 300,
  }
}

/** `Bearer` in any case, one or more spaces, then exactly the token. */
function rightBearer(value: string): boolean {
  const rest = value.slice(6)
  const spaces = rest.length - token.length
  return value.slice(0, 6).toLowerCase() === 'bearer' && spaces >= 1 && rest === ' '.repeat(spaces) + token
}

const valid = fc.constantFrom(`Bearer ${token}`, `bearer ${token}`, `BEARER   ${token}`)
const schemes = fc
  .tuple(
    fc.constantFrom('Bearer', 'Basic', 'Token', 'bearer', 'Bearer,', 'Digest'),
    fc.constantFrom(' ', '  ', '\t', ''),
    anyText(40),
  )
  .map(([scheme, space, value]) => `${scheme}${space}${value}`)

export const authorizationTarget: FuzzTarget<string> = {
  name: 'Authorization / token header',
  input: fc.oneof(valid, mutationsOf(valid), schemes, mutationsOf(fc.constant(token)), anyText(80)),
  async run(value) {
    const bearer = await outcome('request', () => inAuthorization.verify(context({ authorization: value })))
    expectDecision(bearer.accepted, rightBearer(value), value)
    const custom = await outcome('request', () => inCustomHeader.verify(context({ 'x-webhook-token': value })))
    expectDecision(custom.accepted, value === token, value)
  },
  adversarial: adversarialTexts(['Bearer ', 'bearer      ', `Bearer ${token}`, 'Bearer a='], ['a=', ' =', 'b ']),
}
