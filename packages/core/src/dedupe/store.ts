/** The outcome of trying to claim an event id. */
export type ClaimResult = { status: 'claimed'; token: string } | { status: 'in_flight' } | { status: 'done' }

/**
 * The dedupe state machine: absent → processing (a lease held by a token) →
 * done (kept for a TTL), or back to absent when the holder releases it.
 * `complete` and `release` act only while the stored token is still the
 * caller's, so a holder whose lease expired cannot undo a newer claim.
 * A store signals that it is unreachable by throwing.
 *
 * @example
 * ```ts
 * const store: DedupeStore = memoryStore()
 * const claimed = await store.claim('msg_1', 30_000)
 * if (claimed.status === 'claimed') await store.complete('msg_1', claimed.token, 96 * 3_600_000)
 * ```
 */
export interface DedupeStore {
  claim(key: string, leaseMs: number): ClaimResult | Promise<ClaimResult>
  complete(key: string, token: string, ttlMs: number): void | Promise<void>
  release(key: string, token: string): void | Promise<void>
  /**
   * When `true`, the guard answers 2xx once the event is enqueued and the
   * completion is under way, without waiting for it to settle (one round trip
   * fewer on the ack path). A completion that then fails is logged and counted
   * in `storeErrors`, as one awaited would be. Set it only when a lost
   * completion leaves the claim's lease in place to expire by itself: a
   * re-send is then `in_flight` until the lease ends and processed again
   * after it (a duplicate), never answered `done` without the event.
   */
  readonly completeAfterAnswer?: boolean
}
