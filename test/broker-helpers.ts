// Shared by the broker handoff tests (packages/bullmq, nats, rabbitmq) and their fault tests: is a broker
// reachable, a sample event, a signed delivery through a guard.
import { randomUUID } from 'node:crypto'
import { connect } from 'node:net'
import type { WebhookEvent } from '@hookguard/core'
import { signedHeaders } from '../packages/core/test-support/sign.js'

/** Whether something accepts TCP connections at 127.0.0.1:`port`; prints why `what` is skipped when not. */
export async function reachable(port: number, what: string): Promise<boolean> {
  const up = await new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 1_000 })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
    socket.once('timeout', () => done(false))
  })
  if (!up) console.warn(`\n⚠ nothing listens on 127.0.0.1:${port}: SKIPPING ${what}.\n`)
  return up
}

/** An event as the guard hands it to `enqueue` (plain data), with a fresh id unless given. */
export function sampleEvent(overrides: Partial<WebhookEvent> = {}): WebhookEvent {
  const payload = { type: 'scan.completed', data: { n: 1 } }
  return {
    id: `msg_${randomUUID()}`,
    type: 'scan.completed',
    timestamp: Math.floor(Date.now() / 1000),
    receivedAt: new Date().toISOString(),
    method: 'POST',
    path: '/hooks',
    params: {},
    payload,
    bodyBase64: Buffer.from(JSON.stringify(payload)).toString('base64'),
    contentType: 'application/json',
    headers: { 'content-type': 'application/json' },
    sourceIp: '127.0.0.1',
    auth: [{ verifier: 'standard-webhooks' }],
    tenant: null,
    ...overrides,
  }
}

/** A signed Standard Webhooks delivery as a Web `Request`, for `guard.handle`. */
export function signedRequest(key: Buffer, id: string, body = JSON.stringify({ type: 'scan.completed' })): Request {
  return new Request('http://127.0.0.1/hooks', { method: 'POST', body, headers: signedHeaders(key, { id, body }) })
}

/** A unique name for one test run's queue, stream or subject. */
export function runName(label: string): string {
  return `hgtest-${label}-${randomUUID().slice(0, 8)}`
}
