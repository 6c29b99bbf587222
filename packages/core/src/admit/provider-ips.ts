import { booleanOption, optionError, timerMs } from '../verify/option-checks.js'
import { compileIpRules } from './ip.js'
import type { CompiledIpRules, IpRuleSource } from './ip-source.js'
import { githubIps } from './providers/github.js'
import { paddleIps, paddleSandboxIps } from './providers/paddle.js'
import type { ProviderList } from './providers/provider-list.js'
import { stripeIps } from './providers/stripe.js'

const providers: Readonly<Record<string, ProviderList>> = {
  github: githubIps,
  stripe: stripeIps,
  paddle: paddleIps,
  'paddle-sandbox': paddleSandboxIps,
}

/** The senders {@link providerIps} knows. */
export type ProviderName = 'github' | 'stripe' | 'paddle' | 'paddle-sandbox'

/** How {@link providerIps} keeps a published list up to date. */
export interface ProviderIpsRefresh {
  /** Time between fetches. Default 1 hour; at least 1 minute. */
  intervalMs?: number
  /** Where the list is fetched from. Default: the sender's published URL (a local server in tests). */
  url?: string
  /** The `fetch` to call. Default: the global `fetch`. */
  fetch?: typeof fetch
  /** How long one fetch may take. Default 10 s. */
  timeoutMs?: number
  /** Told of each failed or refused fetch; the list in force stays. */
  onError?: (error: Error) => void
}

export interface ProviderIpsOptions {
  /**
   * Fetch the sender's published list in the background (senders with a
   * machine-readable list only). Default `false`: the bundled snapshot, no
   * timer, no network.
   */
  refresh?: boolean | ProviderIpsRefresh
}

/** What a fetch did: a new list in force, the same list (304, or the same rules), or nothing (the old list stays). */
export type RefreshResult = 'updated' | 'unchanged' | 'failed'

/** A sender's allowlist rules, kept up to date when `refresh` is on. */
export interface ProviderIps extends IpRuleSource {
  /** Fetches the list now (one fetch at a time; a call during one gets its result). */
  refresh(): Promise<RefreshResult>
  /** Where the rules in force came from: the bundled snapshot (with its date) or a fetch (with its time). */
  origin(): { from: 'snapshot'; date: string } | { from: 'fetch'; at: Date }
}

/** The most rules a fetched list may hold, and the most bytes its document may have. */
const maxRules = 100_000
const maxBytes = 4 * 1024 * 1024

/**
 * A sender's published webhook source addresses as `allowIps` rules, from a
 * snapshot bundled in the package; with `refresh`, fetched again in the
 * background (conditionally: `If-None-Match` / `If-Modified-Since`). A
 * failed fetch, an empty list, or one with any rule that does not parse
 * leaves the last good list in force; a good one replaces the whole
 * compiled list at once. The timer does not keep the process alive; call
 * `close()` to stop it.
 *
 * @example
 * ```ts
 * const githubIps = providerIps('github', { refresh: { onError: (e) => logger.warn(e.message) } })
 * const guard = createGuard({ verify: [github({ secret })], allowIps: [githubIps, '10.0.0.0/8'], enqueue })
 * // on shutdown
 * githubIps.close()
 * ```
 */
export function providerIps(name: ProviderName, options: ProviderIpsOptions = {}): ProviderIps {
  const where = `providerIps(${String(name)})`
  const provider = Object.hasOwn(providers, name) ? providers[name] : undefined
  if (!provider)
    throw new TypeError(
      `providerIps: unknown provider ${JSON.stringify(name)}; known: ${Object.keys(providers).join(', ')}`,
    )
  const refresh = refreshOptions(options, provider, where)
  let state: State = {
    compiled: compile(provider.snapshot, where),
    origin: { from: 'snapshot', date: provider.snapshotDate },
  }
  let inFlight: Promise<RefreshResult> | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  let closed = false
  const abort = new AbortController()

  async function fetchOnce(settings: Settings): Promise<RefreshResult> {
    const previous = state
    try {
      const headers: Record<string, string> = { ...provider?.headers }
      if (previous.etag) headers['if-none-match'] = previous.etag
      if (previous.lastModified) headers['if-modified-since'] = previous.lastModified
      const timeout = AbortSignal.timeout(settings.timeoutMs)
      // (AbortSignal.any is Node 20.3+; before it, close() does not cut a fetch short, its answer is dropped.)
      const signal = typeof AbortSignal.any === 'function' ? AbortSignal.any([abort.signal, timeout]) : timeout
      const response = await settings.fetch(settings.url, { headers, signal, redirect: 'follow' })
      if (response.status === 304) return 'unchanged'
      if (response.status !== 200) throw new Error(`HTTP ${response.status}`)
      const text = await response.text()
      if (text.length > maxBytes) throw new Error(`the list is over ${maxBytes} bytes`)
      const rules = readRules(provider as ProviderList, text)
      const compiled = compile(rules, where)
      if (closed) return 'unchanged'
      const unchanged = sameRules(compiled.rules, previous.compiled.rules)
      // One assignment: a request reads `state` once, so it sees the old list or the new one.
      state = {
        compiled: unchanged ? previous.compiled : compiled,
        origin: { from: 'fetch', at: new Date() },
        etag: response.headers.get('etag') ?? undefined,
        lastModified: response.headers.get('last-modified') ?? undefined,
      }
      return unchanged ? 'unchanged' : 'updated'
    } catch (error) {
      if (!closed)
        tell(
          settings,
          new Error(`${where}: refresh from ${settings.url} failed, keeping the last good list: ${reason(error)}`),
        )
      return 'failed'
    }
  }

  function schedule(settings: Settings, delayMs: number): void {
    if (closed) return
    timer = setTimeout(() => {
      // (refresh() settles 'failed' rather than rejecting while the source is open; closed, it rejects and stops.)
      source.refresh().then(
        () => schedule(settings, settings.intervalMs),
        () => {},
      )
    }, delayMs)
    // Node and Bun: the timer alone does not keep the process alive. (Deno's and workerd's timers have no unref.)
    ;(timer as { unref?: () => void }).unref?.()
  }

  const source: ProviderIps = {
    name: where,
    current: () => state.compiled,
    origin: () => state.origin,
    refresh() {
      if (closed) return Promise.reject(new Error(`${where} is closed`))
      if (!refresh) {
        return Promise.reject(
          new TypeError(
            `${where}: refresh is off${provider.url ? '' : ` (${provider.name} publishes no machine-readable list)`}`,
          ),
        )
      }
      inFlight ??= fetchOnce(refresh).finally(() => {
        inFlight = undefined
      })
      return inFlight
    },
    close() {
      closed = true
      clearTimeout(timer)
      abort.abort()
    },
  }
  if (refresh) schedule(refresh, 0)
  return source
}

type State = {
  compiled: CompiledIpRules
  origin: ReturnType<ProviderIps['origin']>
  etag?: string
  lastModified?: string
}

type Settings = Required<Omit<ProviderIpsRefresh, 'onError'>> & Pick<ProviderIpsRefresh, 'onError'>

function refreshOptions(options: ProviderIpsOptions, provider: ProviderList, where: string): Settings | undefined {
  if (!options || typeof options !== 'object') throw new TypeError(`${where} options must be an object`)
  const refresh = options.refresh ?? false
  if (typeof refresh !== 'object' || refresh === null) {
    if (!booleanOption(refresh, where, 'refresh')) return undefined
  }
  const given: ProviderIpsRefresh = typeof refresh === 'object' && refresh !== null ? refresh : {}
  const url = given.url ?? provider.url
  if (url === undefined) {
    throw optionError(
      where,
      'refresh',
      `false: ${provider.name} publishes its list only on a web page (snapshot of ${provider.snapshotDate})`,
    )
  }
  if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw optionError(where, 'refresh.url', 'an http(s) URL')
  const fetchImpl = given.fetch ?? globalThis.fetch
  if (typeof fetchImpl !== 'function') throw optionError(where, 'refresh.fetch', 'a fetch function')
  if (given.onError !== undefined && typeof given.onError !== 'function') {
    throw optionError(where, 'refresh.onError', 'a function')
  }
  const intervalMs = timerMs(given.intervalMs ?? 3_600_000, where, 'refresh.intervalMs')
  if (intervalMs < 60_000) throw optionError(where, 'refresh.intervalMs', 'at least 60000 (1 minute)')
  return {
    url,
    fetch: fetchImpl,
    intervalMs,
    timeoutMs: timerMs(given.timeoutMs ?? 10_000, where, 'refresh.timeoutMs'),
    onError: given.onError,
  }
}

/** The rules in a fetched document; throws, naming what is wrong, unless it is a non-empty list of strings. */
function readRules(provider: ProviderList, text: string): string[] {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new Error('the list is not JSON')
  }
  const rules = provider.extract?.(json)
  if (!Array.isArray(rules) || !rules.every((rule) => typeof rule === 'string')) {
    throw new Error('the document holds no list of address strings where the sender puts it')
  }
  if (rules.length === 0) throw new Error('the list is empty')
  if (rules.length > maxRules) throw new Error(`the list has over ${maxRules} rules`)
  return rules
}

/** Compiles a list (a rule that does not parse throws, so the whole list is refused). */
function compile(rules: readonly string[], where: string): CompiledIpRules {
  const frozen = Object.freeze([...rules])
  const matcher = compileIpRules(frozen, where)
  return { rules: frozen, matches: matcher.matches }
}

function sameRules(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((rule, i) => rule === b[i])
}

/** Calls `onError`; an error it throws is dropped, so the timer keeps running. */
function tell(settings: Settings, error: Error): void {
  try {
    settings.onError?.(error)
  } catch {}
}

function reason(error: unknown): string {
  if (error instanceof Error) return error.name === 'TimeoutError' ? 'timed out' : error.message
  return String(error)
}
