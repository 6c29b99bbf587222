import { WebhookError } from '@hookguard/core'
import type fc from 'fast-check'

/**
 * One parser under fuzzing. `run` feeds it one input and throws when the
 * outcome is wrong: an exception of another class than the parser may throw,
 * or an acceptance (or refusal) the reference check disagrees with.
 */
export interface FuzzTarget<T> {
  name: string
  /** Random, mutated and adversarial inputs. */
  input: fc.Arbitrary<T>
  run(input: T): void | Promise<void>
  /** 16 KiB inputs built to make a careless parser slow; timed one by one. */
  adversarial: readonly T[]
}

/** A fuzz target of any input type, for the runner's list. */
// biome-ignore lint/suspicious/noExplicitAny: the runner only passes each target its own inputs.
export type AnyFuzzTarget = FuzzTarget<any>

/** What a parser did with an input. */
export type Outcome<R> = { accepted: true; value: R } | { accepted: false; error: Error }

/** Thrown by a target when a parser's outcome is wrong. */
export class WrongOutcome extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'WrongOutcome'
  }
}

/**
 * Runs a parser and classifies the result. Request input may only be refused
 * with a `WebhookError`; configuration input only with a `TypeError`. Anything
 * else escapes as a failure.
 */
export async function outcome<R>(kind: 'request' | 'config', parse: () => R | Promise<R>): Promise<Outcome<R>> {
  try {
    return { accepted: true, value: await parse() }
  } catch (error) {
    const expected = kind === 'request' ? error instanceof WebhookError : error instanceof TypeError
    if (!expected) throw new WrongOutcome(`unexpected ${describe(error)} from ${kind} input`)
    return { accepted: false, error: error as Error }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : `non-error ${String(error)}`
}

/** Fails unless the parser's decision is the reference's. */
export function expectDecision(accepted: boolean, shouldAccept: boolean, input: unknown): void {
  if (accepted !== shouldAccept) {
    const shown = JSON.stringify(input)
    throw new WrongOutcome(
      `${accepted ? 'accepted' : 'refused'} ${shown.length > 300 ? `${shown.slice(0, 300)}…` : shown}`,
    )
  }
}
