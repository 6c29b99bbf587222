import { certificatePublicKey, signatureKey } from '#crypto'
import { WebhookError } from '../errors.js'
import type { SignatureAlgorithm, SignatureKey } from './crypto/port.js'
import {
  booleanOption,
  nonNegativeNumber,
  oneOrMore,
  optionError,
  positiveInteger,
  positiveNumber,
  requireOptions,
  timerMs,
} from './option-checks.js'

/** What a certificate fetch answers; a `fetch` `Response` is one. */
export interface CertificateResponse {
  readonly ok: boolean
  readonly status: number
  text(): Promise<string>
}

/** How a certificate is fetched: `globalThis.fetch` by default; a test passes one that trusts its local server. */
export type CertificateFetch = (
  url: string,
  init: { signal: AbortSignal; redirect: 'error' },
) => Promise<CertificateResponse>

/**
 * Where a signing certificate named by the request may come from, and how it
 * is fetched and cached. The request names a URL; only one whose host is
 * allowed, over `https:`, whose path ends in `.pem` is fetched, and its X.509
 * certificate (PEM) supplies the public key.
 */
export interface CertificateUrlOptions {
  /**
   * The host names a certificate may come from: a pattern tested against the
   * URL's host name (no port), or exact names. For AWS SNS:
   * `/^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/`.
   */
  hosts: RegExp | string | readonly (RegExp | string)[]
  /** Allow `http:` URLs (a local test server). Default false: `https:` only. */
  allowHttp?: boolean
  /** How long a fetch may take before it counts as failed. Default 2000 ms. */
  timeoutMs?: number
  /** How long a fetched certificate is used before it is fetched again. Default 3_600_000 ms (1 h). */
  cacheMaxAgeMs?: number
  /** How many certificates (one per URL) are kept; the least recently used goes first. Default 16. */
  cacheSize?: number
  /** After a failed fetch, how long a request naming that URL is refused (503) without a new fetch. Default 1000 ms. */
  failureBackoffMs?: number
  /** The fetch to use. Default `globalThis.fetch`. Redirects are refused: they could leave the allowed hosts. */
  fetch?: CertificateFetch
}

/** The certificates a verifier fetched, by URL. */
export interface CertificateKeys {
  /**
   * The key of the certificate at `url`, for `algorithm`: from the cache, or
   * fetched (one fetch per URL at a time; others wait for it). A URL that is
   * not allowed is 401 `invalid_signature`; a fetch that fails or times out is
   * 503 `keys_unavailable`, and the URL is not fetched again for
   * `failureBackoffMs`.
   */
  key(url: string, algorithm: SignatureAlgorithm): Promise<SignatureKey>
}

/** One URL's certificate: being fetched, fetched, or failed until a time. */
interface Entry {
  /** The PEM SPKI of the certificate; rejected with `keys_unavailable` when the fetch failed. */
  pending: Promise<string>
  /** When the entry stops being used (fetched) or stops refusing (failed), in `Date.now()` ms. */
  until: number
  keys: Map<SignatureAlgorithm, SignatureKey>
}

/** A certificate is a few kilobytes; a body far larger is not one. */
const maxCertificateChars = 64 * 1024

/**
 * The fetcher and cache for certificate URLs, made once per verifier (no
 * module-level cache). Options are checked here, in the voice of `where`.
 *
 * @example
 * ```ts
 * const certificates = certificateKeys({ hosts: /^sns\.[a-z0-9-]+\.amazonaws\.com$/ }, 'sns')
 * const key = await certificates.key(message.SigningCertURL, 'rsa-pkcs1-sha256')
 * ```
 */
export function certificateKeys(options: CertificateUrlOptions, where: string): CertificateKeys {
  requireOptions(options, `${where}: certificateUrl`)
  const hosts = compileHosts(options.hosts, where, 'certificateUrl.hosts')
  const allowHttp = booleanOption(options.allowHttp ?? false, where, 'certificateUrl.allowHttp')
  const timeoutMs = timerMs(options.timeoutMs ?? 2_000, where, 'certificateUrl.timeoutMs')
  const maxAgeMs = positiveNumber(options.cacheMaxAgeMs ?? 3_600_000, where, 'certificateUrl.cacheMaxAgeMs')
  const cacheSize = positiveInteger(options.cacheSize ?? 16, where, 'certificateUrl.cacheSize')
  const backoffMs = nonNegativeNumber(options.failureBackoffMs ?? 1_000, where, 'certificateUrl.failureBackoffMs')
  const fetchCertificate = options.fetch ?? (globalThis.fetch as CertificateFetch | undefined)
  if (typeof fetchCertificate !== 'function') throw optionError(where, 'certificateUrl.fetch', 'a function')
  const cache = new Map<string, Entry>()

  return {
    async key(url, algorithm) {
      const location = allowedUrl(url, hosts, allowHttp)
      const entry = current(location)
      const spki = await entry.pending
      let key = entry.keys.get(algorithm)
      if (key === undefined) {
        key = signatureKey(algorithm, spki, 'der')
        entry.keys.set(algorithm, key)
      }
      return key
    },
  }

  /** The URL's entry, used most recently now: a fresh or failing one as it is, else a new fetch. */
  function current(location: string): Entry {
    const now = Date.now()
    let entry = cache.get(location)
    if (entry !== undefined && now < entry.until) {
      cache.delete(location) // re-inserted below: the Map's order is the recency order
    } else {
      entry = fetchEntry(location)
      cache.delete(location)
    }
    cache.set(location, entry)
    while (cache.size > cacheSize) cache.delete(cache.keys().next().value as string)
    return entry
  }

  /** A fetch of the certificate, shared by every request that names the URL while it runs. */
  function fetchEntry(location: string): Entry {
    const entry: Entry = {
      pending: Promise.resolve(''),
      // Until the fetch settles, the entry is what every request for the URL waits on.
      until: Number.POSITIVE_INFINITY,
      keys: new Map(),
    }
    entry.pending = fetchPem(location).then(
      (spki) => {
        entry.until = Date.now() + maxAgeMs
        return spki
      },
      (error: unknown) => {
        entry.until = Date.now() + backoffMs
        throw new WebhookError('keys_unavailable', `certificate ${location} unavailable: ${reason(error)}`)
      },
    )
    entry.pending.catch(() => {}) // each waiting request sees the rejection; none is unhandled
    return entry
  }

  /** The certificate at the URL, fetched within the timeout, as PEM SPKI. */
  async function fetchPem(location: string): Promise<string> {
    const controller = new AbortController()
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort()
        reject(new Error(`timed out after ${timeoutMs} ms`))
      }, timeoutMs)
    })
    try {
      const read = (async () => {
        const response = await (fetchCertificate as CertificateFetch)(location, {
          signal: controller.signal,
          redirect: 'error',
        })
        if (!response.ok) throw new Error(`HTTP ${response.status}`)
        return response.text()
      })()
      read.catch(() => {}) // settled after the timeout, it is no one's
      const text = await Promise.race([read, timeout])
      if (text.length > maxCertificateChars) throw new Error(`more than ${maxCertificateChars} characters`)
      return certificatePublicKey(text)
    } finally {
      clearTimeout(timer)
    }
  }
}

/** The host names a URL may name, checked once: patterns as they are, names lower-cased. */
export function compileHosts(value: unknown, where: string, option: string): readonly (RegExp | string)[] {
  return oneOrMore(value as CertificateUrlOptions['hosts'], where, option).map((host, i) => {
    if (host instanceof RegExp) return host
    if (typeof host === 'string' && host !== '') return host.toLowerCase()
    throw optionError(where, `${option}[${i}]`, 'a RegExp or a host name')
  })
}

/** What is wrong with fetching `url`: its scheme, credentials or host; undefined when nothing is. */
export function urlProblem(url: URL, hosts: readonly (RegExp | string)[], allowHttp: boolean): string | undefined {
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) return `scheme ${url.protocol}`
  if (url.username !== '' || url.password !== '') return 'has credentials'
  const host = url.hostname.toLowerCase()
  if (!hosts.some((allowed) => (typeof allowed === 'string' ? allowed === host : allowed.test(host)))) {
    return `host ${host} is not allowed`
  }
  return undefined
}

/** The URL when it may be fetched, as parsed (so the string fetched is the one checked); else 401. */
function allowedUrl(text: string, hosts: readonly (RegExp | string)[], allowHttp: boolean): string {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new WebhookError('invalid_signature', 'the certificate URL is not a URL')
  }
  const problem =
    urlProblem(url, hosts, allowHttp) ??
    (!url.pathname.endsWith('.pem') || url.search !== '' || url.hash !== ''
      ? `path of ${url.hostname} is not a .pem file`
      : undefined)
  if (problem !== undefined) throw new WebhookError('invalid_signature', `certificate URL ${problem}`)
  return url.href
}

/** Why a fetch failed, without anything the response said. */
function reason(error: unknown): string {
  if (error instanceof TypeError && error.message === 'not a PEM certificate') return 'not a PEM certificate'
  return error instanceof Error ? error.message : 'non-error thrown'
}
