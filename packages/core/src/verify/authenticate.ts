import { checkTenant } from '../admit/tenant.js'
import { replayId } from '../dedupe/dedupe-key.js'
import type { Delivery } from '../delivery.js'
import { WebhookError } from '../errors.js'
import type { Verified } from '../event/build-event.js'
import { noParams } from '../event/build-event.js'
import { andThen, type MaybePromise } from '../lib/maybe-promise.js'
import type { GuardParts } from '../parts.js'
import { handshake } from '../respond/verdict.js'
import type { Verdict } from '../types.js'
import type { Handshake, Verifier, VerifyContext, VerifyResult } from './verifier.js'

/**
 * Step 5: every verifier in order, on the raw (decompressed) bytes; the first
 * one that fails ends the request with its code. What those that passed
 * vouched for (id, type, timestamp, replay keys, claims) is gathered on the
 * delivery. A sender's handshake (found in step 1) is answered here, once
 * every other verifier passed too: an unsigned one in place of its verifier's
 * `verify`, a signed one after it; the request goes no further.
 */
export function authenticate(delivery: Delivery, parts: GuardParts): MaybePromise<Verdict | undefined> {
  const { request } = delivery
  const context: VerifyContext = {
    method: request.method,
    headers: request.headers,
    body: delivery.body,
    params: request.params ?? noParams,
    tls: request.tls,
    query: request.query ?? '',
    tenant: delivery.tenant ?? undefined,
    nowMs: delivery.receivedAtMs,
    toleranceSeconds: parts.config.toleranceSeconds,
  }
  return andThen(verifyFrom(0, context, delivery, parts), () => answerHandshake(delivery))
}

/** The handshake's verdict, when the request was one; the log names the sender that asked. */
function answerHandshake(delivery: Delivery): Verdict | undefined {
  const reply = delivery.handshakeReply
  if (reply === undefined) return undefined
  delivery.verifier = delivery.handshake?.verifier.name ?? delivery.verifier
  return handshake(reply)
}

/** The verifiers from `index` on, one after the other; one that is synchronous adds no promise. */
function verifyFrom(
  index: number,
  context: VerifyContext,
  delivery: Delivery,
  parts: GuardParts,
): MaybePromise<undefined> {
  const verifier = parts.verifiers[index]
  if (verifier === undefined) {
    if (parts.tenant?.claim !== undefined && delivery.tenant === null) {
      throw new WebhookError('invalid_tenant', `no verifier's token holds the tenant claim ${parts.tenant.claim}`)
    }
    return undefined
  }
  delivery.verifier = parts.verifierLabels[index] as string
  const asked = delivery.handshake?.verifier === verifier ? delivery.handshake.handshake : undefined
  if (asked && !asked.signed) {
    return andThen(asked.answer(context), (reply) => {
      delivery.handshakeReply = reply
      return reply === undefined
        ? verifyThen(verifier, undefined, context, delivery, parts, index)
        : verifyFrom(index + 1, context, delivery, parts)
    })
  }
  return verifyThen(verifier, asked, context, delivery, parts, index)
}

/** One verifier's `verify`, then (for its signed handshake) the answer, then the verifiers after it. */
function verifyThen(
  verifier: Verifier,
  signedHandshake: Handshake | undefined,
  context: VerifyContext,
  delivery: Delivery,
  parts: GuardParts,
  index: number,
): MaybePromise<undefined> {
  return andThen(verifier.verify(context), (result) => {
    record(delivery.verified, verifier, result)
    const claim = parts.tenant?.claim
    // The first verifier with claims (a JWT) names the tenant: the verifiers after it look its keys up.
    if (claim !== undefined && delivery.tenant === null && result.claims) {
      delivery.tenant = checkTenant(
        Object.hasOwn(result.claims, claim) ? result.claims[claim] : undefined,
        `claim ${claim}`,
      )
      context.tenant = delivery.tenant
    }
    if (signedHandshake === undefined) return verifyFrom(index + 1, context, delivery, parts)
    return andThen(signedHandshake.answer(context), (reply) => {
      delivery.handshakeReply = reply
      return verifyFrom(index + 1, context, delivery, parts)
    })
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
