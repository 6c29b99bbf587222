import { type ErrorCode, WebhookError } from '../errors.js'
import { andThen, type MaybePromise, settle } from '../lib/maybe-promise.js'
import { type CompiledKey, KeyCache, type TenantEntry } from './key-cache.js'
import { type DatedKey, type KeyEntry, type Keys, lookupOf } from './key-resolver.js'
import { oneOrMore, optionError } from './option-checks.js'
import type { VerifyContext } from './verifier.js'

/** How a verifier turns one of its key options into keys it can check with. */
export interface KeyKind<K, C> {
  /** The factory, for messages: `standardWebhooks`, a preset's name. */
  where: string
  /** The option: `secret`, `publicKey`, `tokens`. */
  option: string
  /** Decodes or imports one key; throws a `TypeError` naming `label` (`secret[0]`) when it is not one. */
  compile(key: K, label: string): C
  /**
   * A key of the same kind no sender holds, made once when first needed: an
   * unknown tenant's request is checked with it, so it costs what a known
   * tenant's does, and is then refused whatever the check said.
   */
  decoy(): C
  /** The code an unknown tenant is refused with when the check with the decoy passed. */
  refusal: ErrorCode
  /** Keys tried per request at most (static lists longer than this are refused at creation). */
  maxKeys?: number
}

/**
 * One key option of a verifier, compiled: static keys (decoded once, at
 * creation), or a resolver behind a {@link KeyCache}. Every key-taking
 * verifier uses this one mechanism: {@link Keyring.use} hands its check the
 * keys to try for the request; for a tenant the resolver does not know (or
 * when no key is in its window) the check runs with a decoy key and the
 * request is refused, so both cost the same.
 *
 * @example
 * ```ts
 * const secrets = compileKeys(options.secret, { where, option: 'secret', compile, decoy, refusal: 'invalid_signature' })
 * verify: (ctx) => secrets.use(ctx, (keys) => check(ctx, keys))
 * ```
 */
export interface Keyring<C> {
  /** `check` with the keys to try now; synchronous for static keys and a tenant already cached. */
  use<R>(ctx: VerifyContext, check: (keys: readonly C[]) => MaybePromise<R>): MaybePromise<R>
  /** Drops a tenant's cached keys (every tenant's without one); nothing for static keys. */
  invalidate(tenant?: string): void
  /** Whether the keys come from a resolver. */
  readonly resolved: boolean
}

/** Compiles a key option (static keys or a resolver) into a {@link Keyring}; a bad static key throws now. */
export function compileKeys<K, C>(value: Keys<K> | undefined, kind: KeyKind<K, C>): Keyring<C> {
  let decoyKey: C | undefined
  const decoy = () => {
    decoyKey ??= kind.decoy()
    return decoyKey
  }
  const lookup = lookupOf(value)
  if (lookup !== undefined) {
    const cache = new KeyCache<K, C>(lookup, kind.where, (found) => compileEntries(found, kind, 'resolved '))
    return {
      resolved: true,
      use: (ctx, check) =>
        andThen(cache.get(ctx), (entry) => checkEntry(entry, ctx, check, decoy, kind, ctx.tenant ?? '')),
      invalidate: (tenant) => cache.invalidate(tenant),
    }
  }
  const list = oneOrMore(value as KeyEntry<K> | readonly KeyEntry<K>[] | undefined, kind.where, kind.option)
  if (kind.maxKeys !== undefined && list.length > kind.maxKeys) {
    throw optionError(kind.where, kind.option, `at most ${kind.maxKeys} keys`)
  }
  const keys = compileEntries(list, kind, '')
  const dated = keys.some((k) => k.from !== Number.NEGATIVE_INFINITY || k.until !== Number.POSITIVE_INFINITY)
  const entry: TenantEntry<C> = {
    keys,
    plain: dated ? undefined : keys.map((k) => k.key),
    expiresAtMs: Number.POSITIVE_INFINITY,
  }
  const plain = entry.plain
  return {
    resolved: false,
    use:
      plain === undefined
        ? (ctx, check) => checkEntry(entry, ctx, check, decoy, kind, undefined)
        : (_ctx, check) => check(plain),
    invalidate: () => {},
  }
}

/** Keys already compiled, with no window (a remote key set's source, say): every check gets them. */
export function fixedKeyring<C>(keys: readonly C[]): Keyring<C> {
  return { resolved: false, use: (_ctx, check) => check(keys), invalidate: () => {} }
}

/** The keyring of a key option not given: every check gets no keys. */
export const emptyKeyring: Keyring<never> = fixedKeyring([])

/** A key entry with its window: an object (not raw key bytes) with its own `key`. */
export function isDated<K>(entry: KeyEntry<K>): entry is DatedKey<K> {
  return typeof entry === 'object' && entry !== null && !(entry instanceof Uint8Array) && Object.hasOwn(entry, 'key')
}

/** Each entry compiled with its window; `prefix` is `resolved ` for what a resolver returned. */
function compileEntries<K, C>(list: readonly KeyEntry<K>[], kind: KeyKind<K, C>, prefix: string): CompiledKey<C>[] {
  return list.map((entry, i) => {
    const label = `${prefix}${kind.option}[${i}]`
    if (!isDated(entry)) return { key: kind.compile(entry, label), from: Number.NEGATIVE_INFINITY, until: Infinity }
    const from = instant(entry.notBefore, kind.where, `${label}.notBefore`, Number.NEGATIVE_INFINITY)
    const until = instant(entry.notAfter, kind.where, `${label}.notAfter`, Number.POSITIVE_INFINITY)
    if (from > until) throw optionError(kind.where, `${label}.notAfter`, 'at or after its notBefore')
    return { key: kind.compile(entry.key, `${label}.key`), from, until }
  })
}

/** A window bound in Unix ms: a valid `Date` or a finite number; absent is `missing`. */
function instant(value: unknown, where: string, option: string, missing: number): number {
  if (value === undefined) return missing
  const ms = value instanceof Date ? value.getTime() : value
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw optionError(where, option, 'a Date or Unix milliseconds')
  return ms
}

/** The check with the keys valid now; with the decoy (then refused) when there are none. */
function checkEntry<C, R>(
  entry: TenantEntry<C>,
  ctx: VerifyContext,
  check: (keys: readonly C[]) => MaybePromise<R>,
  decoy: () => C,
  kind: KeyKind<unknown, C>,
  tenant: string | undefined,
): MaybePromise<R> {
  if (entry.plain !== undefined) return check(kind.maxKeys ? entry.plain.slice(0, kind.maxKeys) : entry.plain)
  if (entry.keys !== null) {
    const now = ctx.nowMs
    const current: C[] = []
    for (const k of entry.keys) if (k.from <= now && now <= k.until) current.push(k.key)
    if (current.length > 0) return check(kind.maxKeys ? current.slice(0, kind.maxKeys) : current)
  }
  const why =
    entry.keys === null
      ? `tenant ${tenant} is unknown to the key resolver`
      : `${kind.option}: no key is valid at ${new Date(ctx.nowMs).toISOString()}${tenant ? ` for tenant ${tenant}` : ''}`
  let checked: MaybePromise<R>
  try {
    checked = check([decoy()])
  } catch (error) {
    return decoyFailed(error, why)
  }
  return settle(checked, decoyPassed, decoyFailed, why, kind.refusal)
}

/** The check with the decoy passed: the request is refused all the same. */
function decoyPassed(_: unknown, why: string, refusal: ErrorCode): never {
  throw new WebhookError(refusal, why)
}

/** The check with the decoy failed, as it should: the sender's error, told why (a server error as it is). */
function decoyFailed(error: unknown, why: string): never {
  if (error instanceof WebhookError && error.status < 500) {
    throw new WebhookError(error.code, error.detail ? `${error.detail} (${why})` : why)
  }
  throw error
}

/** `n` random bytes, for a decoy secret. */
export function randomBytes(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n))
}
