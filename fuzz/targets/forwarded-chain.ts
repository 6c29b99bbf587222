import fc from 'fast-check'
import { resolveClientIp } from '../../packages/core/src/admit/client-ip.js'
import { compileIpRules } from '../../packages/core/src/admit/ip.js'
import { adversarialTexts, anyText, mutationsOf } from '../arbitraries.js'
import { type FuzzTarget, outcome, WrongOutcome } from '../fuzz-target.js'
import { ipBytes, referenceMatches, referenceRule, sameAddress } from '../reference.js'

const trustRules = ['127.0.0.1', '10.0.0.0/8', '2001:db8::/32', '::ffff:192.168.0.0/112']
const trust = compileIpRules(trustRules, 'trustProxy')
const referenceTrust = trustRules.map((rule) => referenceRule(rule) as NonNullable<ReturnType<typeof referenceRule>>)
const socket = '127.0.0.1'
const maxHops = 32

const trusted = (bytes: number[]) => referenceTrust.some((rule) => referenceMatches(bytes, rule))

/** The reference answer: the right-most hop that is not trusted, or `null` at the first that is no strict address. */
function expectedClient(header: string): number[] | null {
  let address = ipBytes(socket) as number[]
  if (!header) return address
  const hops = header.split(',')
  for (let i = hops.length - 1; i >= 0 && i >= hops.length - maxHops; i--) {
    const hop = (hops[i] as string).trim()
    const parsed = hop.length > 64 ? null : ipBytes(hop)
    if (!parsed) return null
    address = parsed
    if (!trusted(parsed)) return parsed
  }
  return address
}

const hop = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.ipV4Extended(),
  fc.ipV4().map((ip) => `::ffff:${ip}`),
  fc.constantFrom(
    '127.0.0.1',
    '10.1.2.3',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '2001:db8::7',
    '192.168.3.4',
    '::ffff:c0a8:0304',
  ),
  fc.constantFrom(
    'fe80::1%eth0',
    '1234:::5678',
    'unknown',
    '[::1]',
    '1.2.3.4:80',
    '',
    '_hidden',
    '0177.0.0.1',
    '127.1',
  ),
  anyText(20),
)
const chain = fc
  .tuple(fc.array(hop, { minLength: 1, maxLength: 40 }), fc.constantFrom(',', ', ', ' , ', ',,'))
  .map(([hops, joiner]) => hops.join(joiner))

export const forwardedChainTarget: FuzzTarget<string> = {
  name: 'forwarded chain (X-Forwarded-For)',
  input: fc.oneof(chain, mutationsOf(chain), anyText(200)),
  async run(header) {
    const result = await outcome('request', () =>
      resolveClientIp(socket, { 'x-forwarded-for': header }, trust, 'x-forwarded-for'),
    )
    if (!result.accepted) throw new WrongOutcome(`resolving ${JSON.stringify(header)} threw ${result.error.name}`)
    const expected = expectedClient(header)
    const got = result.value === null ? null : ipBytes(result.value.toString())
    if (expected === null ? result.value !== null : !sameAddress(got, expected)) {
      throw new WrongOutcome(`${JSON.stringify(header)} gave ${result.value} (reference ${JSON.stringify(expected)})`)
    }
  },
  adversarial: adversarialTexts(
    ['203.0.113.9,', '10.0.0.1, ', '::ffff:', '1.2.3.4,'],
    ['10.0.0.1,', '127.0.0.1, ', ':', 'f:'],
  ),
}
