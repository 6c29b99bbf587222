/** What {@link tokenBuckets} makes: `take` spends one token of `name`'s bucket, or says there is none. */
export interface TokenBuckets {
  take(name: string, nowMs: number): boolean
  /** How many buckets are kept (for tests). */
  readonly size: number
}

/**
 * Rate limits by name (a tenant): `perMinute` tokens per name, refilled
 * continuously, full at first. Buckets are kept in the order they were last
 * used; one unused for a minute is full again, so it is forgotten. At most
 * `maxNames` are kept: past that, a new name gets no token until one is
 * forgotten, so a flood of names cannot grow the map.
 *
 * @example
 * ```ts
 * const crc = tokenBuckets(10)
 * if (!crc.take(ctx.tenant ?? '', ctx.nowMs)) throw new WebhookError('handshake_rate_limited', 'more than 10 a minute')
 * ```
 */
export function tokenBuckets(perMinute: number, maxNames = 10_000): TokenBuckets {
  const buckets = new Map<string, { tokens: number; lastMs: number }>()
  return {
    take(name, nowMs) {
      for (const [oldName, oldest] of buckets) {
        if (nowMs - oldest.lastMs < 60_000) break
        buckets.delete(oldName)
      }
      let bucket = buckets.get(name)
      if (bucket === undefined) {
        if (buckets.size >= maxNames) return false
        bucket = { tokens: perMinute, lastMs: nowMs }
      } else {
        bucket.tokens = Math.min(perMinute, bucket.tokens + ((nowMs - bucket.lastMs) * perMinute) / 60_000)
        bucket.lastMs = nowMs
        buckets.delete(name)
      }
      buckets.set(name, bucket)
      if (bucket.tokens < 1) return false
      bucket.tokens -= 1
      return true
    },
    get size() {
      return buckets.size
    },
  }
}
