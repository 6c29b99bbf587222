import type { HeaderBag } from '../lib/headers.js'
import type { MaybePromise } from '../lib/maybe-promise.js'
import { positiveInteger, positiveNumber, requireOptions, timerMs } from './option-checks.js'

/**
 * What a key resolver sees of a request: never its body. Asked after the
 * cheap checks (method, address, declared size) and before the body is
 * verified.
 */
export interface KeyContext {
  /** The tenant the request names (the guard's `tenant` option), or `undefined` when the guard names none. */
  readonly tenant: string | undefined
  readonly method: string
  readonly headers: HeaderBag
  readonly params: Readonly<Record<string, string>>
  /** The raw query string, without the `?`; `''` when there is none. */
  readonly query: string
}

/**
 * A key with the time it is valid in, so a scheduled rotation needs no
 * deploy: outside `[notBefore, notAfter]` (inclusive; the guard's clock) the
 * key is not tried. Either bound may be left out.
 */
export interface DatedKey<K> {
  key: K
  /** The first instant the key is tried: a `Date` or Unix milliseconds. */
  notBefore?: Date | number
  /** The last instant the key is tried: a `Date` or Unix milliseconds. */
  notAfter?: Date | number
}

/** A key as a verifier's option takes it: bare, or with its time window. */
export type KeyEntry<K> = K | DatedKey<K>

/**
 * Looks a request's keys up (a tenant's secrets in your database, say):
 * one key, a list of them, or `null`/`undefined`/`[]` for a tenant you do not
 * know (answered 401, after the same work as for a known one). Throwing,
 * rejecting or exceeding `timeoutMs` answers 503 `keys_unavailable` with
 * `Retry-After`, so the sender retries.
 */
export type KeyResolver<K> = (
  context: KeyContext,
) => MaybePromise<KeyEntry<K> | readonly KeyEntry<K>[] | null | undefined>

/** How {@link keyResolver} caches what a resolver returns, per tenant, and how long a lookup may take. */
export interface KeyResolverOptions {
  /** Tenants kept at most; the least recently used is dropped first. Default 10 000. */
  maxTenants?: number
  /** How long a tenant's keys are used before they are looked up again, in ms. Default 60 000. */
  ttlMs?: number
  /** How long a tenant the resolver did not know stays unknown without a new lookup, in ms. Default 5 000. */
  negativeTtlMs?: number
  /** How long one lookup may take, in ms, before the request is answered 503 `keys_unavailable`. Default 2 000. */
  timeoutMs?: number
}

const lookupMark = Symbol.for('@hookguard/core.KeyLookup')

/** A resolver with its cache settings, as {@link keyResolver} makes it. */
export interface KeyLookup<K> {
  readonly [lookupMark]: true
  readonly resolve: KeyResolver<K>
  readonly maxTenants: number
  readonly ttlMs: number
  readonly negativeTtlMs: number
  readonly timeoutMs: number
}

/**
 * What every key-taking option accepts (`secret`, `publicKey`, `tokens`,
 * `credentials`, `fingerprints256`): a key, a list of them (each maybe with
 * its time window), a resolver function (cached with the defaults of
 * {@link keyResolver}), or a resolver with its own cache settings.
 */
export type Keys<K> = KeyEntry<K> | readonly KeyEntry<K>[] | KeyResolver<K> | KeyLookup<K>

/**
 * A key resolver with its cache: an LRU of `maxTenants` tenants whose keys are
 * kept `ttlMs`; concurrent requests for one tenant make one lookup; a tenant
 * the resolver does not know is remembered as unknown for `negativeTtlMs`.
 * `guard.invalidate(tenant)` drops a tenant's keys when its customer rotates.
 * A plain function given as a key option is cached with these defaults.
 *
 * @example
 * ```ts
 * standardWebhooks({
 *   secret: keyResolver(
 *     async ({ tenant }) => (await db.query('select secret from tenants where id = $1', [tenant])).rows.map((r) => r.secret),
 *     { ttlMs: 300_000, timeoutMs: 1_000 },
 *   ),
 * })
 * ```
 */
export function keyResolver<K>(resolve: KeyResolver<K>, options: KeyResolverOptions = {}): KeyLookup<K> {
  const where = 'keyResolver'
  if (typeof resolve !== 'function') throw new TypeError(`${where}: resolve must be a function`)
  requireOptions(options, where)
  return {
    [lookupMark]: true,
    resolve,
    maxTenants: positiveInteger(options.maxTenants ?? 10_000, where, 'maxTenants'),
    ttlMs: positiveNumber(options.ttlMs ?? 60_000, where, 'ttlMs'),
    negativeTtlMs: positiveNumber(options.negativeTtlMs ?? 5_000, where, 'negativeTtlMs'),
    timeoutMs: timerMs(options.timeoutMs ?? 2_000, where, 'timeoutMs'),
  }
}

/** The lookup a key option describes, or `undefined` for static keys. */
export function lookupOf<K>(value: Keys<K> | undefined): KeyLookup<K> | undefined {
  if (typeof value === 'function') return keyResolver(value as KeyResolver<K>)
  if (value !== null && typeof value === 'object' && lookupMark in value) return value as KeyLookup<K>
  return undefined
}
