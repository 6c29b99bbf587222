import type { HeaderBag } from './headers.js'
import { joinedHeader } from './headers.js'
import { type IpAddress, type IpMatcher, parseIp } from './ip.js'

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
): IpAddress | null {
  let address = remoteAddress === undefined ? null : parseIp(remoteAddress)
  if (!address || !trustProxy?.matches(address)) return address
  const forwarded = joinedHeader(headers, forwardedHeader, ',')
  if (!forwarded) return address
  const hops = forwarded.split(',')
  for (let i = hops.length - 1; i >= 0 && i >= hops.length - maxHops; i--) {
    address = parseIp((hops[i] as string).trim())
    if (!address || !trustProxy.matches(address)) return address
  }
  return address
}
