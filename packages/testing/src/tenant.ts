import type { PresetName } from './presets.js'
import type { SignOptions } from './types.js'

/** The presets whose request carries JWT claims a tenant can be one of. */
const claimPresets: readonly PresetName[] = ['jwt', 'google-pubsub', 'qstash']

/**
 * The options with the tenant put where the guard's `tenant` source reads it
 * (`tenantIn`): the last path segment of `url` (and of `signedUrl`, the URL
 * the sender signs; default), a header, or a JWT claim. Options without a
 * tenant come back as they are.
 *
 * @example
 * ```ts
 * withTenant('svix', { secret, body, tenant: 'acme', url: 'http://127.0.0.1:3000/hooks' })
 * // → url http://127.0.0.1:3000/hooks/acme
 * ```
 */
export function withTenant<O extends Omit<SignOptions, 'body'>>(preset: PresetName, options: O): O {
  const { tenant, tenantIn = 'path' } = options
  if (tenant === undefined) return options
  if (typeof tenant !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(tenant)) {
    throw new TypeError(`${preset}: tenant must be 1-128 letters, digits, '.', '_' or '-'`)
  }
  if (tenantIn === 'path') {
    if (options.url === undefined) throw new TypeError(`${preset}: a tenant in the path needs url`)
    // The URL a sender signs (Twilio's, HubSpot's, Square's notification URL) names the tenant as the endpoint does.
    const signedUrl = options.signedUrl === undefined ? {} : { signedUrl: withSegment(options.signedUrl, tenant) }
    return { ...options, url: withSegment(options.url, tenant), ...signedUrl }
  }
  if (typeof tenantIn === 'object' && 'header' in tenantIn && typeof tenantIn.header === 'string') {
    return { ...options, headers: { ...options.headers, [tenantIn.header.toLowerCase()]: tenant } }
  }
  if (typeof tenantIn === 'object' && 'claim' in tenantIn && typeof tenantIn.claim === 'string') {
    if (!claimPresets.includes(preset)) throw new TypeError(`${preset}: a tenant claim needs a JWT preset (jwt)`)
    return { ...options, claims: { ...options.claims, [tenantIn.claim]: tenant } }
  }
  throw new TypeError(`${preset}: tenantIn must be 'path', { header } or { claim }`)
}

/** `url` with `segment` as its last path segment, before any query or fragment. */
function withSegment(url: string, segment: string): string {
  const end = url.search(/[?#]/)
  const path = end === -1 ? url : url.slice(0, end)
  const rest = end === -1 ? '' : url.slice(end)
  return `${path.replace(/\/+$/, '')}/${segment}${rest}`
}
