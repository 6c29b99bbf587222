import { type ErrorCode, WebhookError } from '../errors.js'
import { describeError } from '../lib/describe-error.js'
import { isThenable, type MaybePromise } from '../lib/maybe-promise.js'
import type { KeyContext, KeyEntry, KeyLookup } from './key-resolver.js'
import type { VerifyContext } from './verifier.js'

/** A key compiled once (decoded, imported), with the window it is tried in (ms, inclusive). */
export interface CompiledKey<C> {
  key: C
  from: number
  until: number
}

/** What the cache holds for one tenant: its keys, or `null` for a tenant the resolver did not know. */
export interface TenantEntry<C> {
  keys: readonly CompiledKey<C>[] | null
  /** The keys alone, when none has a window: what every request tries, with no filtering. */
  plain: readonly C[] | undefined
  expiresAtMs: number
  /** Used since the cache last passed over it (the second chance of an LRU by CLOCK). */
  used?: boolean
}

/** What a lookup returned, compiled; throws a `TypeError` for a key the verifier cannot use. */
export type CompileAll<K, C> = (found: readonly KeyEntry<K>[]) => readonly CompiledKey<C>[]

/**
 * The cache in front of a key resolver: an LRU (by CLOCK: a `Map` in
 * insertion order, where an entry used since it was last passed over gets a
 * second chance instead of being dropped) of at most `maxTenants` tenants, each kept `ttlMs` (`negativeTtlMs` for one the
 * resolver did not know) by the guard's clock; one lookup at a time per
 * tenant (single-flight), with a timeout. A lookup that fails is not cached:
 * the next request asks again.
 *
 * @example
 * ```ts
 * const cache = new KeyCache(keyResolver(({ tenant }) => secrets.get(tenant!)), 'acme', compileAll)
 * const entry = await cache.get(ctx) // { keys, plain, expiresAtMs }
 * ```
 */
export class KeyCache<K, C> {
  readonly #entries = new Map<string, TenantEntry<C>>()
  readonly #pending = new Map<string, Promise<TenantEntry<C>>>()

  constructor(
    readonly lookup: KeyLookup<K>,
    readonly where: string,
    readonly compileAll: CompileAll<K, C>,
  ) {}

  /** The tenant's entry: from the cache, from a lookup in flight, or from a new lookup. */
  get(ctx: VerifyContext): MaybePromise<TenantEntry<C>> {
    const tenant = ctx.tenant ?? ''
    const entries = this.#entries
    const hit = entries.get(tenant)
    if (hit !== undefined) {
      if (hit.expiresAtMs > ctx.nowMs) {
        // Second chance (CLOCK), an LRU without moving the entry on every hit: see #keep. Written only
        // when it changes, so a hit does not dirty the entry's cache line.
        if (hit.used !== true) hit.used = true
        return hit
      }
      entries.delete(tenant)
    }
    return this.#pending.get(tenant) ?? this.#load(tenant, ctx)
  }

  /** Drops one tenant's keys (or every tenant's), and forgets a lookup in flight for it. */
  invalidate(tenant?: string): void {
    if (tenant === undefined) {
      this.#entries.clear()
      this.#pending.clear()
      return
    }
    this.#entries.delete(tenant)
    this.#pending.delete(tenant)
  }

  /** How many tenants are cached (for tests and metrics). */
  get size(): number {
    return this.#entries.size
  }

  #load(tenant: string, ctx: VerifyContext): MaybePromise<TenantEntry<C>> {
    const { lookup } = this
    const nowMs = ctx.nowMs
    let found: ReturnType<KeyLookup<K>['resolve']>
    try {
      found = lookup.resolve(keyContext(ctx))
    } catch (error) {
      throw this.#unavailable(tenant, 'failed', error)
    }
    if (!isThenable(found)) return this.#keep(tenant, this.#entry(tenant, found, nowMs))
    const pending: Promise<TenantEntry<C>> = withTimeout(found, lookup.timeoutMs).then(
      (value) => {
        const entry = this.#entry(tenant, value, nowMs)
        // Invalidated while the lookup ran: this answer is used once, not kept.
        if (this.#pending.get(tenant) !== pending) return entry
        this.#pending.delete(tenant)
        return this.#keep(tenant, entry)
      },
      (error) => {
        if (this.#pending.get(tenant) === pending) this.#pending.delete(tenant)
        throw this.#unavailable(tenant, error instanceof LookupTimeout ? 'timed out' : 'failed', error)
      },
    )
    // One rejection handler is enough for the requests that share it; each awaits it besides.
    pending.catch(() => {})
    this.#pending.set(tenant, pending)
    return pending
  }

  /** The entry for what the resolver returned; a key the verifier cannot use makes the lookup fail. */
  #entry(tenant: string, value: unknown, nowMs: number): TenantEntry<C> {
    const list = value === null || value === undefined ? [] : Array.isArray(value) ? value : [value]
    if (list.length === 0) return { keys: null, plain: undefined, expiresAtMs: nowMs + this.lookup.negativeTtlMs }
    let keys: readonly CompiledKey<C>[]
    try {
      keys = this.compileAll(list as KeyEntry<K>[])
    } catch (error) {
      // The option checks' message names the entry and what is wrong with it, never the key.
      throw this.#unavailable(tenant, 'returned a key that cannot be used', error)
    }
    const dated = keys.some((k) => k.from !== Number.NEGATIVE_INFINITY || k.until !== Number.POSITIVE_INFINITY)
    return { keys, plain: dated ? undefined : keys.map((k) => k.key), expiresAtMs: nowMs + this.lookup.ttlMs }
  }

  #keep(tenant: string, entry: TenantEntry<C>): TenantEntry<C> {
    const entries = this.#entries
    entries.set(tenant, entry)
    // Over the bound: the oldest entry not used since it was last passed over goes; a used one moves to the end.
    while (entries.size > this.lookup.maxTenants) {
      const [oldest, kept] = entries.entries().next().value as [string, TenantEntry<C>]
      entries.delete(oldest)
      if (!kept.used) break
      kept.used = false
      entries.set(oldest, kept)
    }
    return entry
  }

  #unavailable(tenant: string, what: string, error: unknown): WebhookError {
    const code: ErrorCode = 'keys_unavailable'
    const named = tenant === '' ? '' : ` for tenant ${tenant}`
    return new WebhookError(code, `${this.where}: key lookup${named} ${what}: ${describeError(error)}`)
  }
}

/** What the resolver is given: the request without its body. */
function keyContext(ctx: VerifyContext): KeyContext {
  return {
    tenant: ctx.tenant,
    method: ctx.method,
    headers: ctx.headers,
    params: ctx.params,
    query: ctx.query ?? '',
  }
}

class LookupTimeout extends Error {
  override name = 'LookupTimeout'
}

/** `promise`, or a `LookupTimeout` once `ms` have passed. */
function withTimeout<T>(promise: PromiseLike<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new LookupTimeout(`no answer within ${ms} ms`)), ms)
    Promise.resolve(promise).then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}
