import { type HeaderBag, joinedHeader, singleHeader } from '../lib/headers.js'

/** A host as a URL authority names it: a name or address, an optional port; no path, user info or spaces. */
const hostPattern = /^(?:\[[0-9a-f:.]+\]|[a-z0-9.\-_~]+)(?::\d{1,5})?$/i

/**
 * The origin (`https://example.com`) the client called, as the proxy in
 * front of the guard says it: the first element of `Forwarded` (RFC 7239)
 * with `proto` and `host`, else the first values of `X-Forwarded-Proto` and
 * `X-Forwarded-Host` (the host falling back to `Host`). Read only when the
 * socket belongs to a trusted proxy (`trustProxy`): anyone else can send
 * these headers. `undefined` when the scheme or host is missing or malformed.
 */
export function forwardedOrigin(headers: HeaderBag): string | undefined {
  let proto: string | undefined
  let host: string | undefined
  const forwarded = joinedHeader(headers, 'forwarded', ',')
  if (forwarded) {
    const first = forwarded.split(',')[0] as string
    for (const pair of first.split(';')) {
      const eq = pair.indexOf('=')
      if (eq === -1) continue
      const name = pair.slice(0, eq).trim().toLowerCase()
      const value = unquote(pair.slice(eq + 1).trim())
      if (name === 'proto') proto = value
      else if (name === 'host') host = value
    }
  }
  proto ??= firstValue(headers, 'x-forwarded-proto')
  host ??= firstValue(headers, 'x-forwarded-host') ?? singleHeader(headers, 'host')
  if (proto === undefined || host === undefined) return undefined
  proto = proto.toLowerCase()
  if ((proto !== 'https' && proto !== 'http') || !hostPattern.test(host)) return undefined
  return `${proto}://${host}`
}

/** The first comma-separated value of a header, trimmed: the hop nearest the client. */
function firstValue(headers: HeaderBag, name: string): string | undefined {
  const value = joinedHeader(headers, name, ',')
  if (!value) return undefined
  const first = (value.split(',')[0] as string).trim()
  return first === '' ? undefined : first
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value
}
