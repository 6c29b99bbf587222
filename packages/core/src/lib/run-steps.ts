import { isThenable, type MaybePromise } from './maybe-promise.js'

/**
 * One step of a pipeline over some state: nothing to go on, a value to stop
 * with, or a promise of either when it waits.
 */
export type Step<State, Parts, Result> = (state: State, parts: Parts) => MaybePromise<Result | undefined>

/**
 * Runs `steps` in order on `state` until one returns a result. A step that
 * finished goes straight on to the next, with no promise in between; one that
 * waits is followed once it settles. A thrown error or a rejection ends the
 * run with it.
 *
 * @example
 * ```ts
 * const answer = runSteps([checkMethod, readBody, verify], delivery, parts)
 * ```
 */
export function runSteps<State, Parts, Result>(
  steps: readonly Step<State, Parts, Result>[],
  state: State,
  parts: Parts,
  from = 0,
): MaybePromise<Result> {
  for (let i = from; i < steps.length; i++) {
    const step = steps[i] as Step<State, Parts, Result>
    const outcome = step(state, parts)
    if (outcome === undefined) continue
    // A result now ends the run with no closure made for it; only a step that waits needs one.
    if (!isThenable(outcome)) return outcome
    return Promise.resolve(outcome).then((result) => result ?? runSteps(steps, state, parts, i + 1))
  }
  throw new TypeError('runSteps: the last step must return a result')
}
