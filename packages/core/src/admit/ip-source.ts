import { compileIpRules, type HostBitsWarning, type IpAddress, type IpMatcher } from './ip.js'

/** A compiled rule list: the rules and their matcher, replaced together, never changed in place. */
export interface CompiledIpRules extends IpMatcher {
  readonly rules: readonly string[]
}

/**
 * A list of allowlist rules that may change while the guard runs, such as
 * {@link providerIps}'s. `current()` hands back the whole compiled list in
 * force; a change replaces that object in one assignment, so a request, which
 * reads it once, sees the old list or the new one, never a mix.
 */
export interface IpRuleSource {
  /** What the source is, for messages (`providerIps(github)`). */
  readonly name: string
  current(): CompiledIpRules
  /** Stops whatever keeps the list up to date (a timer, a fetch in flight). */
  close(): void
}

/** An `allowIps` entry: an address or CIDR range, or a rule source. */
export type AllowIpsEntry = string | IpRuleSource

function isSource(entry: unknown): entry is IpRuleSource {
  return (
    typeof entry === 'object' &&
    entry !== null &&
    typeof (entry as IpRuleSource).current === 'function' &&
    typeof (entry as IpRuleSource).close === 'function'
  )
}

/**
 * Compiles `allowIps`: a list of strings is compiled once, exactly as
 * `trustProxy` is (a static list costs what it cost before sources existed);
 * with sources in it, an address is allowed when the static rules or any
 * source's current list hold it.
 */
export function compileAllowIps(
  entries: readonly AllowIpsEntry[] | IpRuleSource,
  option: string,
  onHostBits?: HostBitsWarning,
): IpMatcher {
  const list = isSource(entries) ? [entries] : entries
  if (!Array.isArray(list)) {
    throw new TypeError(`${option} must be an array of addresses, CIDR ranges or providerIps() sources`)
  }
  const sources = list.filter(isSource)
  if (sources.length === 0) return compileIpRules(list as readonly string[], option, onHostBits)
  const fixed = compileIpRules(
    list.filter((entry) => !isSource(entry)),
    option,
    onHostBits,
  )
  return {
    matches(address: IpAddress): boolean {
      if (fixed.matches(address)) return true
      for (const source of sources) if (source.current().matches(address)) return true
      return false
    },
  }
}
