import { type GuardOptions, standardWebhooks } from '@hookguard/core'
import { expect } from 'vitest'
import { type Delivery, signedHeaders, type TestSecret, testSecret } from '../../packages/core/test-support/sign.js'
import type { StartedTarget, TargetFacts, TargetSetup } from '../harness.js'
import { type Reply, type SendInit, send } from '../http-client.js'

/**
 * Starts the target under test with the default guard options below, overridden where given, and with
 * what `setup` asks to run before hookguard.
 */
export type Start = (overrides?: Partial<GuardOptions>, setup?: TargetSetup) => Promise<StartedTarget>

/** One behaviour every target must show, over real HTTP; `target` says where a target's outcome differs. */
export interface ConformanceCase {
  name: string
  run(start: Start, target: TargetFacts): Promise<void>
}

export const secret = testSecret('primary')
/** The guard's injected clock: a fixed second, half-way through it. */
export const nowSeconds = 1_700_000_000
const clock = () => nowSeconds * 1000 + 500

/** The default signed JSON body. */
export const body = JSON.stringify({ type: 'scan.completed', data: { scanId: 'abc' } })

/** The default guard: Standard Webhooks with the test secret, an enqueue that succeeds, the fixed clock. */
export function guardOptions(overrides: Partial<GuardOptions> = {}): GuardOptions {
  return { verify: [standardWebhooks({ secret: secret.whsec })], enqueue: () => {}, now: clock, ...overrides }
}

/** A delivery as the cases give it: an id, and the default timestamp and body unless given. */
export type CaseDelivery = Omit<Delivery, 'id'> & { id: string }

/** The signed headers of a delivery (the test secret, or `signer`), for cases that take them apart. */
export function headersFor(delivery: Partial<CaseDelivery> & { id: string }, signer: TestSecret = secret) {
  return signedHeaders(signer.key, { timestamp: nowSeconds, body, ...delivery })
}

/** Sends a delivery signed with the test secret (or `init.signer`); `init.headers` override the signed ones. */
export function deliver(
  server: StartedTarget,
  delivery: Partial<CaseDelivery> & { id: string },
  init: SendInit & { signer?: TestSecret } = {},
): Promise<Reply> {
  const headers = { ...headersFor(delivery, init.signer), ...init.headers }
  return send(server.url, { ...init, headers, body: delivery.body ?? body })
}

const retryStatuses = new Set([409, 429, 503])

/** Checks a reply is the verdict with this status and code, with the headers that status requires. */
export function expectVerdict(reply: Reply, status: number, code: string): void {
  expect({ status: reply.status, code: reply.json?.code }).toEqual({ status, code })
  expect(reply.json?.status).toBe(status)
  const contentType = status < 300 ? 'application/json' : 'application/problem+json'
  expect(reply.headers['content-type']).toBe(contentType)
  if (status >= 400) expect(reply.json?.title).toEqual(expect.any(String))
  if (retryStatuses.has(status)) expect(reply.headers['retry-after']).toMatch(/^[1-9][0-9]*$/)
}

/** Checks a rejection and that nothing was enqueued. */
export function expectRejected(server: StartedTarget, reply: Reply, status: number, code: string): void {
  expectVerdict(reply, status, code)
  expect(server.enqueued).toEqual([])
}

/**
 * A repeated header that must be one line: Node keeps the lines apart, so 400 `duplicate_header`; a target
 * that joins them ({@link TargetFacts.joinsRepeatedHeaders}) sees one joined value, which then fails
 * authentication with `joinedCode` (401).
 */
export function expectRepeatedRefused(server: StartedTarget, reply: Reply, target: TargetFacts, joinedCode: string) {
  if (target.joinsRepeatedHeaders) expectRejected(server, reply, 401, joinedCode)
  else expectRejected(server, reply, 400, 'duplicate_header')
}

/** Polls `check` every 10 ms (after `refresh`, when given) until it holds; fails after `limitMs`. */
export async function waitFor(check: () => boolean, limitMs = 5_000, refresh?: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + limitMs
  for (await refresh?.(); !check(); await refresh?.()) {
    if (Date.now() >= deadline) throw new Error(`condition not met within ${limitMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
