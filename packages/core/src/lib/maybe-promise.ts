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
 * `next(value, a, b, c)` now, or once `value` settles. Every step of the
 * pipeline may be synchronous (the memory store, a node:crypto verifier, an
 * in-process queue) or not (Redis, JWKS, BullMQ): a step that finished goes
 * straight on, without a promise per step. What `next` needs rides along as
 * `a`, `b`, `c`, so a value that is here now costs no closure either (the hot
 * path passes a module-level `next`; only a wait makes one).
 *
 * @example
 * ```ts
 * return andThen(store.claim(key, leaseMs), afterClaim, held, parts)
 * ```
 */
export function andThen<T, U, A = undefined, B = undefined, C = undefined>(
  value: T | PromiseLike<T>,
  next: (value: T, a: A, b: B, c: C) => MaybePromise<U>,
  a?: A,
  b?: B,
  c?: C,
): MaybePromise<U> {
  if (!isThenable(value)) return next(value as T, a as A, b as B, c as C)
  return Promise.resolve(value).then((settled) => next(settled, a as A, b as B, c as C))
}

/**
 * {@link andThen} with a second path: `onError(error, a, b, c)` when `value`
 * is a promise that rejects. One `.then` with both handlers.
 *
 * @example
 * ```ts
 * return settle(store.complete(key, token, ttlMs), completeNext, completeFailed, held, parts, index)
 * ```
 */
export function settle<T, U, A = undefined, B = undefined, C = undefined>(
  value: T | PromiseLike<T>,
  onValue: (value: T, a: A, b: B, c: C) => MaybePromise<U>,
  onError: (error: unknown, a: A, b: B, c: C) => MaybePromise<U>,
  a?: A,
  b?: B,
  c?: C,
): MaybePromise<U> {
  if (!isThenable(value)) return onValue(value as T, a as A, b as B, c as C)
  return Promise.resolve(value).then(
    (settled) => onValue(settled, a as A, b as B, c as C),
    (error: unknown) => onError(error, a as A, b as B, c as C),
  )
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
