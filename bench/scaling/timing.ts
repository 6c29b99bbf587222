import { median } from '../shared.js'

/** One thing to time: `fn` is one operation; it may return a promise, which is awaited. */
export interface TimedCase {
  name: string
  fn: () => unknown
}

export interface TimingOptions {
  rounds: number
  /** Rounds run first and thrown away, while the JIT settles. */
  warmupRounds: number
  /** Samples per case per round (a fifth more are run first and thrown away). */
  samples: number
}

export interface TimedRow {
  name: string
  /** Median over rounds of the per-round median, µs per operation. */
  microseconds: number
  /** Median, lowest and highest over rounds of this case's time over the first case's, same round. */
  ratio: [number, number, number]
}

/** Operations per sample, so a sample outlasts the timer's own cost: about 16 KiB of input per sample. */
export function batchFor(size: number): number {
  return Math.max(1, Math.round(16_384 / size))
}

async function sampleOnce(fn: () => unknown, batch: number, async: boolean): Promise<number> {
  const started = performance.now()
  if (async) for (let i = 0; i < batch; i++) await fn()
  else for (let i = 0; i < batch; i++) fn()
  return ((performance.now() - started) * 1000) / batch
}

/**
 * Times every case in interleaved rounds (order rotated each round) and
 * takes medians; the ratios are to the first case (the floor or the
 * reference) within each round.
 */
export async function timeCases(
  cases: readonly TimedCase[],
  batch: number,
  options: TimingOptions,
): Promise<TimedRow[]> {
  const isAsync = await Promise.all(
    cases.map(async (c) => {
      const probe = c.fn()
      if (probe instanceof Promise) {
        await probe
        return true
      }
      return false
    }),
  )
  const perRound = cases.map((): number[] => [])
  for (let round = -options.warmupRounds; round < options.rounds; round++) {
    for (let k = 0; k < cases.length; k++) {
      const index = (k + round + options.warmupRounds) % cases.length
      const c = cases[index] as TimedCase
      const times: number[] = []
      for (let s = -Math.ceil(options.samples / 5); s < options.samples; s++) {
        const us = await sampleOnce(c.fn, batch, isAsync[index] as boolean)
        if (s >= 0) times.push(us)
      }
      if (round >= 0) perRound[index]!.push(median(times))
    }
  }
  const reference = perRound[0] as number[]
  return cases.map((c, index) => {
    const times = perRound[index] as number[]
    const ratios = times.map((t, round) => t / (reference[round] as number))
    return {
      name: c.name,
      microseconds: median(times),
      ratio: [median(ratios), Math.min(...ratios), Math.max(...ratios)],
    }
  })
}
