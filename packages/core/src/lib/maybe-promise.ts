/** A value now, or later. */
export type MaybePromise<T> = T | Promise<T>

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  )
}

/**
 * `next(value)` now, or once `value` settles. Every step of the pipeline may
 * be synchronous (the memory store, a node:crypto verifier, an in-process
 * queue) or not (Redis, JWKS, BullMQ): a step that finished goes straight on,
 * without a promise per step.
 */
export function andThen<T, U>(value: T | PromiseLike<T>, next: (value: T) => MaybePromise<U>): MaybePromise<U> {
  return isThenable(value) ? Promise.resolve(value).then(next) : next(value as T)
}

/**
 * `handle(error)` when `call` throws or its promise rejects; what `handle`
 * returns (or throws) takes the place of the result.
 */
export function recover<T>(call: () => MaybePromise<T>, handle: (error: unknown) => T): MaybePromise<T> {
  let result: MaybePromise<T>
  try {
    result = call()
  } catch (error) {
    return handle(error)
  }
  return isThenable(result) ? Promise.resolve(result).then(undefined, handle) : result
}
