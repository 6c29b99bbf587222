import { forwardedOrigin } from '../admit/forwarded-origin.js'
import { checkTenant } from '../admit/tenant.js'
import { replayId } from '../dedupe/dedupe-key.js'
import type { Delivery } from '../delivery.js'
import { WebhookError } from '../errors.js'
import type { Verified } from '../event/build-event.js'
import { noParams } from '../event/build-event.js'
import { andThen, type MaybePromise } from '../lib/maybe-promise.js'
import type { GuardParts } from '../parts.js'
import { handshake } from '../respond/verdict.js'
import type { Verdict, WebhookRequest } from '../types.js'
import type { Handshake, HandshakeReply, Verifier, VerifyContext, VerifyResult } from './verifier.js'

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
    path: request.path,
    nowMs: delivery.receivedAtMs,
    toleranceSeconds: parts.config.toleranceSeconds,
  }
  if (parts.urlFromProxy) context.forwardedOrigin = originFromProxy(request, parts)
  return andThen(verifyFrom(0, { context, delivery, parts }), answerHandshake, delivery, parts)
}

/** One request's run through the verifiers: what each step of it needs, in one place. */
interface VerifierRun {
  context: VerifyContext
  delivery: Delivery
  parts: GuardParts
}

/** The origin a trusted proxy forwarded, only when the socket is one: anyone else can send those headers. */
function originFromProxy(request: WebhookRequest, parts: GuardParts): string | undefined {
  const { trustProxy } = parts.config
  const socket = request.remoteAddress === undefined ? null : parts.addresses.parse(request.remoteAddress)
  return socket && trustProxy?.matches(socket) ? forwardedOrigin(request.headers) : undefined
}

/** The handshake's verdict, when the request was one; the log names the sender that asked. */
function answerHandshake(_: undefined, delivery: Delivery, parts: GuardParts): Verdict | undefined {
  const reply = delivery.handshakeReply
  if (reply === undefined) return undefined
  delivery.verifier = delivery.handshake?.verifier.name ?? delivery.verifier
  if (reply.warning) parts.logger?.warn({ verifier: delivery.verifier, ...reply.warning.fields }, reply.warning.message)
  return handshake(reply)
}

/** The handshake this request may be, when it is this verifier's. */
function handshakeOf(verifier: Verifier, delivery: Delivery): Handshake | undefined {
  return delivery.handshake?.verifier === verifier ? delivery.handshake.handshake : undefined
}

/**
 * The verifiers from `index` on, one after the other; one that is synchronous
 * adds no promise. An unsigned handshake is answered in place of its
 * verifier's `verify`; when it says the request is not one, `verify` runs.
 */
function verifyFrom(index: number, run: VerifierRun): MaybePromise<undefined> {
  const verifier = run.parts.verifiers[index]
  if (verifier === undefined) return allVerified(run)
  run.delivery.verifier = run.parts.verifierLabels[index] as string
  const asked = handshakeOf(verifier, run.delivery)
  if (asked && !asked.signed) return andThen(asked.answer(run.context), unsignedAnswered, run, index)
  return andThen(verifier.verify(run.context), verified, run, index)
}

/** Every verifier passed: a tenant named by a claim must have been in one of their tokens. */
function allVerified(run: VerifierRun): undefined {
  const claim = run.parts.tenant?.claim
  if (claim !== undefined && run.delivery.tenant === null) {
    throw new WebhookError('invalid_tenant', `no verifier's token holds the tenant claim ${claim}`)
  }
  return undefined
}

function unsignedAnswered(reply: HandshakeReply | undefined, run: VerifierRun, index: number): MaybePromise<undefined> {
  run.delivery.handshakeReply = reply
  if (reply !== undefined) return verifyFrom(index + 1, run)
  return andThen((run.parts.verifiers[index] as Verifier).verify(run.context), verified, run, index)
}

/**
 * A verifier passed: what it vouched for is recorded (with the tenant, when
 * its claims name it), its signed handshake answered, then the verifiers after it.
 */
function verified(result: VerifyResult, run: VerifierRun, index: number): MaybePromise<undefined> {
  const verifier = run.parts.verifiers[index] as Verifier
  record(run.delivery.verified, verifier, result)
  if (result.claims) tenantFromClaims(result.claims, run)
  const asked = handshakeOf(verifier, run.delivery)
  if (asked === undefined || !asked.signed) return verifyFrom(index + 1, run)
  return andThen(asked.answer(run.context), signedAnswered, run, index)
}

/** The first verifier with claims (a JWT) names the tenant: the verifiers after it look its keys up. */
function tenantFromClaims(claims: NonNullable<VerifyResult['claims']>, run: VerifierRun): void {
  const claim = run.parts.tenant?.claim
  if (claim === undefined || run.delivery.tenant !== null) return
  run.delivery.tenant = checkTenant(Object.hasOwn(claims, claim) ? claims[claim] : undefined, `claim ${claim}`)
  run.context.tenant = run.delivery.tenant
}

function signedAnswered(reply: HandshakeReply | undefined, run: VerifierRun, index: number): MaybePromise<undefined> {
  run.delivery.handshakeReply = reply
  return verifyFrom(index + 1, run)
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
