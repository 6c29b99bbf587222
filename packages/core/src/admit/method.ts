import type { Delivery } from '../delivery.js'
import { WebhookError } from '../errors.js'
import type { GuardParts } from '../parts.js'
import { findHandshake } from './handshake.js'

/**
 * Step 1: the method is one the guard takes (default `POST`), or one a
 * sender's handshake uses for a request that may be that handshake (Meta's
 * `GET ?hub.mode=…`); otherwise 405 with `Allow`. The handshake found is kept
 * for steps 3 and 5.
 */
export function allowMethod(delivery: Delivery, parts: GuardParts): undefined {
  const { request } = delivery
  const method = request.method.toUpperCase()
  if (parts.handshakes.length > 0) delivery.handshake = findHandshake(request, method, parts.handshakes)
  if (!parts.config.methods.has(method) && delivery.handshake === undefined) {
    throw new WebhookError('method_not_allowed', `method ${request.method} is not in ${parts.config.allow}`)
  }
  return undefined
}
