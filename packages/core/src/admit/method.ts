import type { Delivery } from '../delivery.js'
import { WebhookError } from '../errors.js'
import type { GuardParts } from '../parts.js'

/** Step 1: the method is one the guard takes (default `POST`); otherwise 405 with `Allow`. */
export function allowMethod(delivery: Delivery, { config }: GuardParts): undefined {
  const { method } = delivery.request
  if (!config.methods.has(method.toUpperCase())) {
    throw new WebhookError('method_not_allowed', `method ${method} is not in ${config.allow}`)
  }
  return undefined
}
