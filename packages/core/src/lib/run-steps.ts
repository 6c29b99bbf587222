import { isThenable, type MaybePromise } from './maybe-promise.js'

/**
 * One step of a pipeline over some state: nothing to go on, a value to stop
 * with, or a promise of either when it waits.
 */
export type Step<State, Parts, Result> = (state: State, parts: Parts) => MaybePromise<Result | undefined>

/**
 * Runs `steps` in order on `state` until one returns a result, and ends with
 * `done(result)`, or with `failed(error)` when a step throws or its promise
 * rejects. A step that finished goes straight on to the next, with no promise
 * in between; one that waits is followed once it settles, through one `.then`
 * that also ends the run (a pipeline that waited once adds one promise here).
 *
 * @example
 * ```ts
 * const answer = runSteps([checkMethod, readBody, verify], delivery, parts, answerWith, refuse)
 * ```
 */
export function runSteps<State, Parts, Result, Out>(
  steps: readonly Step<State, Parts, Result>[],
  state: State,
  parts: Parts,
  done: (result: Result) => Out,
  failed: (error: unknown) => Out,
  from = 0,
): MaybePromise<Out> {
  for (let i = from; i < steps.length; i++) {
    const step = steps[i] as Step<State, Parts, Result>
    let outcome: MaybePromise<Result | undefined>
    try {
      outcome = step(state, parts)
    } catch (error) {
      return failed(error)
    }
    if (outcome === undefined) continue
    if (!isThenable(outcome)) return done(outcome)
    return Promise.resolve(outcome).then(
      (result) => (result === undefined ? runSteps(steps, state, parts, done, failed, i + 1) : done(result)),
      failed,
    )
  }
  return failed(new TypeError('runSteps: the last step must return a result'))
}
