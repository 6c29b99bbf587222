import type { Delivery } from '../delivery.js'
import { WebhookError } from '../errors.js'
import type { GuardParts } from '../parts.js'
import { missingAddressHint, refusedSourceDetail, resolveClientIp } from './client-ip.js'

/**
 * Step 2: the client's address (the socket's, or through trusted proxies the
 * forwarded one) is in `allowIps`, when there is one; otherwise 403. A guard
 * with `allowIps` that is passed no address at all says once, at `warn`, how
 * to pass it.
 */
export function allowClientAddress(delivery: Delivery, parts: GuardParts): undefined {
  const { request } = delivery
  const { allowIps, trustProxy, forwardedHeader } = parts.config
  const client = resolveClientIp(request.remoteAddress, request.headers, trustProxy, forwardedHeader, parts.addresses)
  delivery.sourceIp = client ? parts.addresses.text(client) : null
  if (allowIps && (!client || !allowIps.matches(client))) {
    if (request.remoteAddress === undefined && !parts.told.missingAddress) {
      parts.told.missingAddress = true
      parts.logger?.warn(
        { code: 'ip_not_allowed', detail: missingAddressHint },
        'allowIps is set but no client address was passed',
      )
    }
    throw new WebhookError('ip_not_allowed', refusedSourceDetail(request.remoteAddress, delivery.sourceIp))
  }
  return undefined
}
