/** The outcome of trying to claim an event id. */
export type ClaimResult = { status: 'claimed'; token: string } | { status: 'in_flight' } | { status: 'done' }

/**
 * The dedupe state machine: absent → processing (a lease held by a token) →
 * done (kept for a TTL), or back to absent when the holder releases it.
 * `complete` and `release` act only while the stored token is still the
 * caller's, so a holder whose lease expired cannot undo a newer claim.
 * A store signals that it is unreachable by throwing.
 */
export interface DedupeStore {
  claim(key: string, leaseMs: number): ClaimResult | Promise<ClaimResult>
  complete(key: string, token: string, ttlMs: number): void | Promise<void>
  release(key: string, token: string): void | Promise<void>
}
