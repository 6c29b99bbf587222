// Fuzzes every request and configuration parser for a set time, then times 16 KiB adversarial inputs.
// Usage: npm run fuzz -- [--seconds N] [--seed N]   (N seconds in all, shared by the targets; default 30)
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import fc from 'fast-check'
import type { AnyFuzzTarget } from './fuzz-target.js'
import { authorizationTarget } from './targets/authorization.js'
import { cidrRuleTarget } from './targets/cidr-rule.js'
import { forwardedChainTarget } from './targets/forwarded-chain.js'
import { jwtSegmentsTarget } from './targets/jwt-segments.js'
import { signatureListTarget, signatureListV1aTarget } from './targets/signature-list.js'
import { timestampTarget } from './targets/timestamp.js'

const targets: readonly AnyFuzzTarget[] = [
  signatureListTarget,
  signatureListV1aTarget,
  timestampTarget,
  authorizationTarget,
  forwardedChainTarget,
  cidrRuleTarget,
  jwtSegmentsTarget,
]
/** A call this slow on a 16 KiB input means super-linear work, whatever the machine. */
const grosslySlowMs = 100
/** Each adversarial input is timed this many times; its cost is the fastest run (noise only adds). */
const timings = 3

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '30' }, seed: { type: 'string' } } })
const seconds = Number(values.seconds)
if (!Number.isFinite(seconds) || seconds <= 0) throw new TypeError('--seconds must be a positive number')
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed)

async function timed(target: AnyFuzzTarget, input: unknown): Promise<number> {
  const started = performance.now()
  await target.run(input)
  return performance.now() - started
}

async function fuzz(target: AnyFuzzTarget, budgetMs: number): Promise<{ runs: number; maxMs: number; p99Ms: number }> {
  const durations: number[] = []
  const property = fc.asyncProperty(target.input, async (input) => {
    durations.push(await timed(target, input))
  })
  await fc.assert(property, { seed, numRuns: Number.MAX_SAFE_INTEGER, interruptAfterTimeLimit: budgetMs })
  durations.sort((a, b) => a - b)
  const p99Ms = durations[Math.floor(durations.length * 0.99)] ?? 0
  return { runs: durations.length, maxMs: durations.at(-1) ?? 0, p99Ms }
}

async function adversarial(target: AnyFuzzTarget): Promise<{ count: number; maxMs: number; slow: string[] }> {
  let maxMs = 0
  const slow: string[] = []
  for (const input of target.adversarial) {
    let fastest = Number.POSITIVE_INFINITY
    for (let i = 0; i < timings; i++) fastest = Math.min(fastest, await timed(target, input))
    maxMs = Math.max(maxMs, fastest)
    if (fastest > grosslySlowMs) slow.push(`${JSON.stringify(input).slice(0, 60)}… took ${fastest.toFixed(1)} ms`)
  }
  return { count: target.adversarial.length, maxMs, slow }
}

console.log(`fuzzing ${targets.length} parsers for ${seconds} s in all (seed ${seed})`)
let failed = false
const budgetMs = (seconds * 1000) / targets.length
for (const target of targets) {
  try {
    const random = await fuzz(target, budgetMs)
    const hostile = await adversarial(target)
    console.log(
      `${target.name.padEnd(34)} ${String(random.runs).padStart(7)} runs: max ${random.maxMs.toFixed(2)} ms/call` +
        ` (p99 ${random.p99Ms.toFixed(3)} ms, GC pauses included);` +
        ` ${hostile.count} × 16 KiB adversarial: max ${hostile.maxMs.toFixed(3)} ms/call`,
    )
    if (hostile.slow.length > 0) {
      failed = true
      console.error(`  super-linear (over ${grosslySlowMs} ms):\n  ${hostile.slow.join('\n  ')}`)
    }
  } catch (error) {
    failed = true
    console.error(`${target.name}: FAILED\n${error instanceof Error ? error.message : String(error)}`)
  }
}
if (failed) {
  console.error(`fuzzing failed; rerun with --seed ${seed}`)
  process.exitCode = 1
}
