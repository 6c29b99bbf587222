import type { Delivery } from '../delivery.js'
import { WebhookError } from '../errors.js'
import { andThen, type MaybePromise } from '../lib/maybe-promise.js'
import type { GuardParts } from '../parts.js'
import { decompressBody } from './decompress.js'
import { readBodyInto } from './read-body.js'

/**
 * Step 4: the raw body, read with the size limit, the idle timeout and the
 * total deadline, then inflated when step 3 found a coding to undo. Never
 * parsed, never re-serialized. When a body parser consumed the bytes first,
 * 500 `raw_body_unavailable`, with the fix in the log.
 */
export function readRawBody(delivery: Delivery, { config }: GuardParts): MaybePromise<undefined> {
  const { request, coding } = delivery
  if (request.bodyUnavailable !== undefined) throw new WebhookError('raw_body_unavailable', request.bodyUnavailable)
  const received = readBodyInto(
    delivery,
    request.body,
    config.maxBodyBytes,
    config.bodyTimeoutMs,
    config.bodyDeadlineMs,
  )
  if (coding === null) return received
  return andThen(received, () =>
    decompressBody(delivery.body, coding, config.maxBodyBytes, config.bodyTimeoutMs).then((inflated) => {
      delivery.body = inflated
      return undefined
    }),
  )
}
