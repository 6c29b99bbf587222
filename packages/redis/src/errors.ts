/** Why a Redis store call failed without a Redis error of its own. */
export type RedisStoreErrorCode = 'timeout' | 'unexpected_reply'

/**
 * Thrown by the Redis store when Redis did not answer within `timeoutMs`, or
 * answered something the scripts never return. The guard turns any store
 * throw into `503 store_unavailable` (or enqueues without dedupe when
 * `storeFailure` is `'open'`). Errors from ioredis itself are passed through.
 *
 * @example
 * ```ts
 * try {
 *   await store.claim('hookguard:msg_1', 30_000)
 * } catch (error) {
 *   if (error instanceof RedisStoreError && error.code === 'timeout') console.warn('Redis is slow')
 * }
 * ```
 */
export class RedisStoreError extends Error {
  override readonly name = 'RedisStoreError'
  readonly code: RedisStoreErrorCode

  constructor(code: RedisStoreErrorCode, message: string) {
    super(message)
    this.code = code
  }
}
