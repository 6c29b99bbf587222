import fc from 'fast-check'
import { compileIpRules, parseIp } from '../../packages/core/src/admit/ip.js'
import { adversarialTexts, anyText, mutationsOf } from '../arbitraries.js'
import { expectDecision, type FuzzTarget, outcome, WrongOutcome } from '../fuzz-target.js'
import { ipBytes, referenceMatches, referenceRule } from '../reference.js'

/** A rule and addresses to probe it with. */
interface RuleInput {
  rule: string
  probes: string[]
}

const address = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.ipV4().map((ip) => `::ffff:${ip}`),
)
const prefix = fc.oneof(
  fc.integer({ min: 0, max: 130 }).map(String),
  fc.constantFrom('', '08', '-1', '+8', ' 8', '8 ', '1e1', '0x8', '33', '129', '95', '96', '/8', '8/8'),
)
const rule = fc.oneof(
  address,
  fc.tuple(address, prefix).map(([a, p]) => `${a}/${p}`),
  fc.tuple(fc.ipV4Extended(), prefix).map(([a, p]) => `${a}/${p}`),
  fc.constantFrom('fe80::1%eth0/64', '1234:::5678/8', '/8', '10.0.0.0/', '::/', ' ::/0', '0.0.0.0/0'),
)

export const cidrRuleTarget: FuzzTarget<RuleInput> = {
  name: 'CIDR rule (allowIps, trustProxy)',
  input: fc.record({
    rule: fc.oneof(rule, mutationsOf(rule), anyText(60)),
    probes: fc.array(address, { maxLength: 6 }),
  }),
  async run({ rule: text, probes }) {
    const result = await outcome('config', () => compileIpRules([text], 'allowIps'))
    const reference = referenceRule(text)
    expectDecision(result.accepted, reference !== null, text)
    if (!result.accepted || reference === null) return
    const network = text.split('/')[0] as string
    for (const probe of [network, ...probes]) {
      const matched = result.value.matches(parseIp(probe) as NonNullable<ReturnType<typeof parseIp>>)
      if (matched !== referenceMatches(ipBytes(probe) as number[], reference)) {
        throw new WrongOutcome(`rule ${JSON.stringify(text)} ${matched ? 'matched' : 'missed'} ${probe}`)
      }
    }
  },
  adversarial: adversarialTexts(['10.0.0.0/', '::ffff:', '1:2:3:4:', '0.0.0.0/0'], ['/', '1/', ':0']).map((rule) => ({
    rule,
    probes: [],
  })),
}
