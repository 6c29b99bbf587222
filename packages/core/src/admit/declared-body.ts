import type { Delivery } from '../delivery.js'
import { WebhookError } from '../errors.js'
import { singleHeader } from '../lib/headers.js'
import type { GuardParts } from '../parts.js'
import { contentCoding } from './coding.js'
import { nameTenant } from './tenant.js'

const digits = /^[0-9]+$/

/**
 * Step 3: what the request says of its body before a byte is read: a
 * `Content-Length` within the limit (else 413), a `Content-Encoding` the
 * guard undoes (else 415; ignored when a body parser has inflated the body
 * already), and at least one credential header of each verifier that declares
 * them (else 401; not for the verifier whose unsigned handshake the request
 * may be), and the tenant a path parameter or header names, an identifier
 * (else 400 `invalid_tenant`): a request that cannot pass is refused before
 * its body is read or inflated, and before any key is looked up.
 */
export function checkDeclaredBody(delivery: Delivery, parts: GuardParts): undefined {
  const { headers, bodyDecoded } = delivery.request
  const { maxBodyBytes, decompress } = parts.config
  delivery.coding = bodyDecoded ? null : contentCoding(singleHeader(headers, 'content-encoding'), decompress)
  const declaredLength = singleHeader(headers, 'content-length')
  if (declaredLength !== undefined && digits.test(declaredLength) && Number(declaredLength) > maxBodyBytes) {
    throw new WebhookError('payload_too_large', `content-length ${declaredLength} exceeds ${maxBodyBytes}`)
  }
  const { handshake } = delivery
  parts.requireCredentials?.(headers, handshake && !handshake.handshake.signed ? handshake.verifier : undefined)
  nameTenant(delivery, parts.tenant)
  return undefined
}
