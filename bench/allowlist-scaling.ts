/**
 * `npm run bench:allowlist [-- --smoke]`: how the allowlist's cost grows with
 * its rule count (issue 24, "How cost grows"). 1, 100 and 10,000 CIDR rules,
 * IPv4 and IPv6, every lookup a client address not seen before, allowed and
 * refused, in µs per lookup. Variants, in the same interleaved rounds:
 * - the admit step as a guard runs it: a guard's AddressCache parses the text
 *   (a miss every time), then the compiled allowlist matches it;
 * - the match alone, on addresses parsed beforehand;
 * - the linear scan the matcher was before (bench/fast-paths/ip.ts), the match alone.
 * `--no-linear` leaves the linear scan out. It re-runs itself with `--expose-gc`, like bench/fast-paths.ts. Results go to
 * bench/results/allowlist-scaling.json and .md.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { compileIpRules, createAddressCache, type IpAddress, parseIp } from '../packages/core/src/admit/ip.js'
import { type AbOptions, type AbRow, type Comparison, runComparison, sink, type Variant } from './fast-paths/ab.js'
import { freshStrings } from './fast-paths/fresh-strings.js'
import { linearMatcher } from './fast-paths/ip.js'
import { formatNumber, markdownTable, table } from './shared.js'

if (!(globalThis as { gc?: unknown }).gc) {
  const args = ['--expose-gc', ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)]
  process.exit(spawnSync(process.execPath, args, { stdio: 'inherit' }).status ?? 1)
}

const smoke = process.argv.includes('--smoke')
// `--no-linear`: leave out the linear scan (seconds per round at 10,000 rules), to time the current code alone.
const linearToo = !process.argv.includes('--no-linear')
const options: AbOptions = smoke
  ? { rounds: 1, warmupRounds: 0, timeMs: 5 }
  : { rounds: 7, warmupRounds: 1, timeMs: 100 }
const counts = [1, 100, 10_000]
const batch = 100
const samples = smoke ? 5 : 60

type Family = 'IPv4' | 'IPv6'
type Outcome = 'allowed' | 'refused'

/**
 * `count` rules, none inside another: IPv4 /20s from 10.0.0.0 up, every
 * other /20 (10,000 of them reach 14.226.0.0), IPv6 /48s under
 * 2001:db8::/32, every other one. Allowed addresses fall in rules picked all
 * over the list; refused ones in the gaps between rules, so a refused lookup
 * halves the list as far as an allowed one. A /20 holds 4,094 hosts, more than
 * the guard's 1,024-entry address cache, so even with 1 rule every lookup
 * parses an address it has not kept.
 */
function rulesFor(family: Family, count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    family === 'IPv4' ? `${v4Text(v4Base + 2 * i * 4096)}/20` : `2001:db8:${hex(2 * i)}::/48`,
  )
}

const v4Base = 0x0a000000

function v4Text(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`
}

const hex = (n: number) => (n & 0xffff).toString(16)

function addressFor(family: Family, outcome: Outcome, count: number, n: number): string {
  const rule = (n * 7919) % count
  if (family === 'IPv4') {
    const block = 2 * rule + (outcome === 'allowed' ? 0 : 1)
    return v4Text(v4Base + block * 4096 + 1 + (n % 4094))
  }
  const word = outcome === 'allowed' ? 2 * rule : 2 * rule + 1
  return `2001:db8:${hex(word)}:${hex(n)}::${hex(n >> 16)}`
}

/** Distinct address texts, as requests bring them: enough that no variant's round sees one twice. */
const total = (samples + Math.ceil(samples / 5) + 2) * batch

function addressTexts(family: Family, outcome: Outcome, count: number): string[] {
  return freshStrings(Array.from({ length: total }, (_, n) => addressFor(family, outcome, count, n)))
}

function variant(name: string, outcome: Outcome, make: () => (at: number) => boolean): Variant {
  return {
    name,
    prepare: () => {
      const lookup = make()
      let at = 0
      return () => {
        let allowed = 0
        for (let i = 0; i < batch; i++) {
          if (lookup(at)) allowed += 1
          // (tinybench may take a sample or two more than asked; the guard's 1,024-entry cache has long forgotten the first.)
          at = (at + 1) % total
        }
        if (allowed !== (outcome === 'allowed' ? batch : 0))
          throw new Error(`allowlist scaling: ${name} got ${allowed}`)
        sink.value += allowed
      }
    },
  }
}

function comparisons(): Comparison[] {
  const list: Comparison[] = []
  for (const family of ['IPv4', 'IPv6'] as const) {
    for (const count of counts) {
      const rules = rulesFor(family, count)
      for (const outcome of ['allowed', 'refused'] as const) {
        const texts = addressTexts(family, outcome, count)
        const parsed = texts.map((text) => parseIp(text) as IpAddress)
        const matcher = compileIpRules(rules, 'allowIps')
        const linear = linearMatcher(rules)
        list.push({
          name: `${family}, ${formatNumber(count)} rules, ${outcome}`,
          batch,
          samples,
          variants: [
            variant('admit step: parse + sorted ranges (current)', outcome, () => {
              const addresses = createAddressCache()
              return (at) => {
                const address = addresses.parse(texts[at] as string)
                return address !== null && matcher.matches(address)
              }
            }),
            variant(
              'match only: sorted ranges (current)',
              outcome,
              () => (at) => matcher.matches(parsed[at] as IpAddress),
            ),
            ...(linearToo
              ? [variant('match only: linear scan (before)', outcome, () => (at) => linear(parsed[at] as IpAddress))]
              : []),
          ],
        })
      }
    }
  }
  return list
}

function log(line: string): void {
  process.stderr.write(`${line}\n`)
}

async function main(): Promise<void> {
  const started = Date.now()
  const rows: AbRow[] = []
  for (const comparison of comparisons()) {
    log(`${comparison.name}…`)
    rows.push(...(await runComparison(comparison, options)))
  }
  const us = (ns: number) => formatNumber(ns / 1000, ns < 10_000 ? 2 : 1)
  const header = ['family', 'outcome', 'variant', ...counts.map((c) => `${formatNumber(c)} rules µs`), '10,000 × 1']
  const out: string[][] = []
  for (const family of ['IPv4', 'IPv6']) {
    for (const outcome of ['allowed', 'refused']) {
      const names = [...new Set(rows.map((r) => r.variant))]
      for (const name of names) {
        const cells = counts.map(
          (c) =>
            rows.find((r) => r.variant === name && r.comparison === `${family}, ${formatNumber(c)} rules, ${outcome}`)!,
        )
        const growth = (cells[2] as AbRow).p50 / (cells[0] as AbRow).p50
        out.push([family, outcome, name, ...cells.map((cell) => us(cell.p50)), `${growth.toFixed(2)}×`])
      }
    }
  }
  const setup = `µs per lookup, a new client address each time; ${options.rounds} rounds after ${options.warmupRounds} thrown away, ${samples} samples of ${batch} lookups per variant per round, order rotated, medians of the per-sample medians; 10,000 × 1 = the 10,000-rule time over the 1-rule time`
  process.stdout.write(
    `${['', 'Allowlist: cost per lookup by rule count', table(header, out), '', setup, `Node ${process.version}. Took ${Math.round((Date.now() - started) / 1000)} s. (sink ${sink.value})`].join('\n')}\n`,
  )
  const resultsDir = fileURLToPath(new URL('./results/', import.meta.url))
  mkdirSync(resultsDir, { recursive: true })
  const name = smoke ? 'allowlist-scaling-smoke' : linearToo ? 'allowlist-scaling' : 'allowlist-scaling-current'
  writeFileSync(
    `${resultsDir}${name}.json`,
    `${JSON.stringify({ date: new Date().toISOString(), smoke, options, counts, batch, samples, rows }, null, 2)}\n`,
  )
  writeFileSync(`${resultsDir}${name}.md`, `${setup}\n\n${markdownTable(header, out)}\n`)
}

main().catch((error: unknown) => {
  log(`allowlist scaling failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  process.exit(1)
})
