import type { HeaderBag } from '../lib/headers.js'
import { joinedHeader } from '../lib/headers.js'
import { type AddressCache, type IpAddress, type IpMatcher, parseIp } from './ip.js'

/** How to pass the client's address, for the log when `allowIps` is set and none came. */
export const missingAddressHint =
  'no client address was passed, so allowIps refuses every request: pass it as guard.handle(request, { remoteAddress }); ' +
  'Deno: info.remoteAddr.hostname, Bun: server.requestIP(request)?.address, ' +
  "Cloudflare Workers: request.headers.get('cf-connecting-ip'), @hono/node-server: env.incoming.socket.remoteAddress"

/** The developer detail of a source `allowIps` refused: the address, or why there is none. */
export function refusedSourceDetail(remoteAddress: string | undefined, sourceIp: string | null): string {
  if (sourceIp !== null) return `source ${sourceIp} is not in allowIps`
  if (remoteAddress === undefined) return missingAddressHint
  if (parseIp(remoteAddress) === null)
    return `client address ${JSON.stringify(remoteAddress.slice(0, 64))} is not an IP address`
  return `the trusted proxy ${remoteAddress} forwarded a hop that is not an IP address`
}

/** Forwarded hops inspected at most, from the right. */
const maxHops = 32

/**
 * The client's address: the socket's, or, when the socket belongs to a trusted
 * proxy, the right-most `X-Forwarded-For` hop that is not itself trusted.
 * Returns `null` when the address is absent or not a strict IP address.
 */
export function resolveClientIp(
  remoteAddress: string | undefined,
  headers: HeaderBag,
  trustProxy: IpMatcher | undefined,
  forwardedHeader: string,
  addresses: Pick<AddressCache, 'parse'> = { parse: parseIp },
): IpAddress | null {
  let address = remoteAddress === undefined ? null : addresses.parse(remoteAddress)
  if (!address || !trustProxy?.matches(address)) return address
  const forwarded = joinedHeader(headers, forwardedHeader, ',')
  if (!forwarded) return address
  const hops = forwarded.split(',')
  for (let i = hops.length - 1; i >= 0 && i >= hops.length - maxHops; i--) {
    address = addresses.parse((hops[i] as string).trim())
    if (!address || !trustProxy.matches(address)) return address
  }
  return address
}
