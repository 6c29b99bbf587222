import { replayId } from '../dedupe/dedupe-key.js'
import type { Delivery } from '../delivery.js'
import type { Verified } from '../event/build-event.js'
import { noParams } from '../event/build-event.js'
import { andThen, type MaybePromise } from '../lib/maybe-promise.js'
import type { GuardParts } from '../parts.js'
import type { Verifier, VerifyContext, VerifyResult } from './verifier.js'

/**
 * Step 5: every verifier in order, on the raw (decompressed) bytes; the first
 * one that fails ends the request with its code. What those that passed
 * vouched for (id, type, timestamp, replay keys, claims) is gathered on the
 * delivery.
 */
export function authenticate(delivery: Delivery, parts: GuardParts): MaybePromise<undefined> {
  const { request } = delivery
  const context: VerifyContext = {
    method: request.method,
    headers: request.headers,
    body: delivery.body,
    params: request.params ?? noParams,
    tls: request.tls,
    nowMs: delivery.receivedAtMs,
    toleranceSeconds: parts.config.toleranceSeconds,
  }
  return verifyFrom(0, context, delivery, parts)
}

/** The verifiers from `index` on, one after the other; one that is synchronous adds no promise. */
function verifyFrom(
  index: number,
  context: VerifyContext,
  delivery: Delivery,
  parts: GuardParts,
): MaybePromise<undefined> {
  const verifier = parts.verifiers[index]
  if (verifier === undefined) return undefined
  delivery.verifier = parts.verifierLabels[index] as string
  return andThen(verifier.verify(context), (result) => {
    record(delivery.verified, verifier, result)
    return verifyFrom(index + 1, context, delivery, parts)
  })
}

/**
 * Records what a verifier that passed learned; the first verifier to name the id, type or timestamp wins.
 * Every replay key is kept: each is claimed.
 */
function record(verified: Verified, verifier: Verifier, result: VerifyResult): void {
  verified.id ??= result.id
  verified.type ??= result.type
  verified.timestamp ??= result.timestamp ?? null
  if (result.replayKey) {
    verified.replays ??= []
    verified.replays.push({ id: replayId(verifier.name, result.replayKey.key), ttlMs: result.replayKey.ttlMs })
  }
  verified.auth.push(result.claims ? { verifier: verifier.name, claims: result.claims } : { verifier: verifier.name })
}
