import { Bench } from 'tinybench'
import { median } from '../shared.js'

/** One implementation of an operation. */
export interface Variant {
  name: string
  /**
   * Builds its state (untimed, once per round, just before it runs) and
   * returns the timed call, which does `batch` operations.
   */
  prepare: () => () => unknown
}

/** Implementations of one operation, measured in the same rounds. */
export interface Comparison {
  name: string
  /** Operations per timed call, so that a sample outlasts the timer's own cost. */
  batch: number
  /** The first is the reference: every variant's ratio is its time over the reference's in the same round. */
  variants: readonly Variant[]
  /** A fixed number of samples per round instead of the time budget, for state that grows with every operation. */
  samples?: number
}

export interface AbOptions {
  rounds: number
  /** Rounds run first and thrown away, while the JIT settles. */
  warmupRounds: number
  /** tinybench time budget per variant per round, ms. */
  timeMs: number
}

export interface AbRow {
  comparison: string
  variant: string
  /** Median over rounds of the per-sample median, ns per operation. */
  p50: number
  /** Median over rounds of the per-sample mean (so rare costs such as a rehash or a GC count), ns per operation. */
  mean: number
  /** Median, lowest and highest over rounds of this variant's time over the reference's (1 for the reference). */
  ratioP50: [number, number, number]
  ratioMean: [number, number, number]
}

/** Where timed calls put their results, so the JIT cannot drop the work. */
export const sink = { value: 0 }

const gc = (globalThis as { gc?: () => void }).gc

/** A variant whose state needs no rebuilding: `fn` is called `batch` times per timed call. */
export function repeated(name: string, batch: number, fn: () => number): Variant {
  return {
    name,
    prepare: () => () => {
      let sum = 0
      for (let i = 0; i < batch; i++) sum += fn()
      sink.value += sum
    },
  }
}

/**
 * Runs every variant of `comparison` once per round, one after the other in
 * an order rotated each round, each with its state built fresh and (when
 * node runs with `--expose-gc`) the previous variant's garbage collected, and
 * takes medians over the rounds.
 */
export async function runComparison(comparison: Comparison, options: AbOptions): Promise<AbRow[]> {
  const { variants, batch } = comparison
  const p50s = variants.map((): number[] => [])
  const means = variants.map((): number[] => [])
  for (let round = -options.warmupRounds; round < options.rounds; round++) {
    for (let k = 0; k < variants.length; k++) {
      const index = (k + round + options.warmupRounds) % variants.length
      const variant = variants[index] as Variant
      const fn = variant.prepare()
      gc?.()
      const bench = new Bench(benchOptions(comparison, options))
      // (`async: false`: else tinybench calls the function once more, untimed, to find out.)
      bench.add(variant.name, fn, { async: false })
      await bench.run()
      const result = bench.tasks[0]!.result
      if (result.state !== 'completed') {
        const error = 'error' in result ? String(result.error) : result.state
        throw new Error(`${comparison.name} / ${variant.name}: ${error}`)
      }
      if (round < 0) continue
      p50s[index]!.push((result.latency.p50 * 1e6) / batch)
      means[index]!.push((result.latency.mean * 1e6) / batch)
    }
  }
  return variants.map((variant, index) => ({
    comparison: comparison.name,
    variant: variant.name,
    p50: median(p50s[index]!),
    mean: median(means[index]!),
    ratioP50: ratios(p50s[index]!, p50s[0]!),
    ratioMean: ratios(means[index]!, means[0]!),
  }))
}

function benchOptions(comparison: Comparison, options: AbOptions) {
  if (comparison.samples !== undefined) {
    const warmup = Math.max(1, Math.ceil(comparison.samples / 5))
    return { time: 0, iterations: comparison.samples, warmupTime: 0, warmupIterations: warmup }
  }
  return { time: options.timeMs, iterations: 5, warmupTime: Math.max(5, options.timeMs / 4), warmupIterations: 2 }
}

function ratios(times: readonly number[], reference: readonly number[]): [number, number, number] {
  const perRound = times.map((t, round) => t / (reference[round] as number))
  return [median(perRound), Math.min(...perRound), Math.max(...perRound)]
}
