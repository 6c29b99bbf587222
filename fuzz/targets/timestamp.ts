import { checkTimestamp } from '@hookguard/core'
import fc from 'fast-check'
import { adversarialTexts, anyText, mutationsOf } from '../arbitraries.js'
import { expectDecision, type FuzzTarget, outcome, WrongOutcome } from '../fuzz-target.js'

const nowSeconds = 1_700_000_000
const tolerance = 300

/** Canonical decimal seconds within the window must pass; anything accepted must be digits meaning that value. */
function canonicalInWindow(text: string): boolean {
  const value = Number(text)
  return Number.isSafeInteger(value) && String(value) === text && Math.abs(value - nowSeconds) <= tolerance
}

const nearNow = fc.integer({ min: -2 * tolerance, max: 2 * tolerance }).map((offset) => String(nowSeconds + offset))
const numberForms = fc.oneof(
  fc.double().map(String),
  fc.bigInt().map(String),
  fc.integer().map((n) => n.toString(16)),
  fc.integer().map((n) => `0x${n.toString(16)}`),
  fc.integer({ min: 0, max: 2 ** 31 }).map((n) => n.toExponential()),
  fc.nat().map((n) => String(nowSeconds * 1000 + n)),
  nearNow.map((s) => s.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)))),
)

export const timestampTarget: FuzzTarget<string> = {
  name: 'timestamp',
  input: fc.oneof(nearNow, mutationsOf(nearNow), numberForms, mutationsOf(numberForms), anyText(40)),
  async run(text) {
    const result = await outcome('request', () => checkTimestamp(text, nowSeconds * 1000 + 500, tolerance))
    if (result.accepted) {
      const value = result.value
      if (!/^[0-9]+$/.test(text) || value !== Number(text) || Math.abs(value - nowSeconds) > tolerance) {
        throw new WrongOutcome(`accepted ${JSON.stringify(text)} as ${value}`)
      }
    } else expectDecision(false, canonicalInWindow(text), text)
  },
  adversarial: adversarialTexts(['1700000000', '+', '1.7e'], ['17', '0 ']),
}
