/**
 * Candidate 2: the declared-length check in the guard's `admit` (step 3).
 * The current code skips the pattern and the number when the value has fewer
 * digits than the limit; the plain code always runs both.
 */
import { type Comparison, sink, type Variant } from './ab.js'
import { freshStrings } from './fresh-strings.js'

type Check = (declared: string | undefined) => boolean

/** As in guard.ts (`createGuard` computes the digit count once, `admit` runs the rest). */
function digitCount(config: { maxBodyBytes: number }): Check {
  const maxBodyDigits = String(Math.floor(config.maxBodyBytes)).length
  return (declaredLength) =>
    declaredLength !== undefined &&
    declaredLength.length >= maxBodyDigits &&
    /^[0-9]+$/.test(declaredLength) &&
    Number(declaredLength) > config.maxBodyBytes
}

/** What the digit count replaced. */
function plain(config: { maxBodyBytes: number }): Check {
  return (declaredLength) =>
    declaredLength !== undefined && /^[0-9]+$/.test(declaredLength) && Number(declaredLength) > config.maxBodyBytes
}

/** STYLE.md's plainest form; it also reads `1e9` or ` 12` as numbers, which node's parser refuses before us. */
function numberOnly(config: { maxBodyBytes: number }): Check {
  return (declaredLength) => declaredLength !== undefined && Number(declaredLength) > config.maxBodyBytes
}

const samples = 100
const batch = 1000

function variant(name: string, make: (config: { maxBodyBytes: number }) => Check, lengths: () => number): Variant {
  return {
    name,
    prepare: () => {
      const check = make({ maxBodyBytes: 1024 * 1024 })
      const values = freshStrings(Array.from({ length: (samples + samples / 5) * batch }, () => String(lengths())))
      let at = 0
      return () => {
        let refused = 0
        for (let i = 0; i < batch; i++) if (check(values[at++])) refused += 1
        sink.value += refused
      }
    },
  }
}

/** Body sizes of real deliveries: log-uniform from 100 B to 100 kB (3 to 6 digits). */
const typical = () => Math.floor(10 ** (2 + 3 * Math.random()))
/** Within a few percent of the 1 MiB limit, either side (7 digits: the digit count does not help). */
const nearLimit = () => 1_000_000 + Math.floor(Math.random() * 100_000)

export function contentLengthComparisons(): Comparison[] {
  return [
    ['typical lengths (3–6 digits), limit 1 MiB', typical] as const,
    ['lengths near the 1 MiB limit (7 digits)', nearLimit] as const,
  ].map(([name, lengths]) => ({
    name: `Content-Length check: ${name}`,
    batch,
    samples,
    variants: [
      variant('digit count first (current)', digitCount, lengths),
      variant('regex + Number (plain)', plain, lengths),
      variant('Number only', numberOnly, lengths),
    ],
  }))
}
