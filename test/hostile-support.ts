import { connect } from 'node:net'
import { type DedupeStore, memoryStore } from '@hookguard/core'
import { expect } from 'vitest'
import { nowSeconds, type Start, secret } from './cases.js'
import type { StartedTarget } from './harness.js'
import { type Reply, type SendInit, send } from './http-client.js'
import { type Delivery, signedHeaders } from './sign.js'

/** What a hostile case may need to know about the target it runs through. */
export interface TargetTraits {
  /** Web `Headers` join a repeated header with `, ` (Hono, `guard.handle`); Node keeps the lines apart. */
  joinsRepeatedHeaders: boolean
}

/** One hostile input every target must survive, over real HTTP. */
export interface HostileCase {
  name: string
  run(start: Start, traits: TargetTraits): Promise<void>
}

/** The default signed body. */
export const body = JSON.stringify({ type: 'scan.completed', data: { scanId: 'abc' } })

/** Sends a delivery signed with the test secret; `init.headers` override the signed ones. */
export function deliver(server: StartedTarget, delivery: Partial<Delivery> & { id: string }, init: SendInit = {}) {
  const full: Delivery = { timestamp: nowSeconds, body, ...delivery }
  return send(server.url, { ...init, headers: { ...signedHeaders(secret, full), ...init.headers }, body: full.body })
}

/** The signed headers of a delivery, for cases that take them apart. */
export function headersFor(delivery: Partial<Delivery> & { id: string }): Record<string, string> {
  return signedHeaders(secret, { timestamp: nowSeconds, body, ...delivery })
}

/** Checks the reply carries this status and code, as problem+json when it is a rejection. */
export function expectVerdict(reply: Reply, status: number, code: string): void {
  expect({ status: reply.status, code: reply.json?.code }).toEqual({ status, code })
  expect(reply.headers['content-type']).toBe(status < 300 ? 'application/json' : 'application/problem+json')
}

/** Checks a rejection with this status and one of these codes, and that nothing was enqueued. */
export function expectRejected(server: StartedTarget, reply: Reply, status: number, ...codes: string[]): void {
  expect(reply.status).toBe(status)
  expect(codes).toContain(reply.json?.code)
  expect(reply.headers['content-type']).toBe('application/problem+json')
  expect(server.enqueued).toEqual([])
}

/** A repeated header: 400 `duplicate_header` on Node; Web targets join it and must still refuse it. */
export function expectRepeatedRefused(server: StartedTarget, reply: Reply, traits: TargetTraits, webCode: string) {
  if (traits.joinsRepeatedHeaders) expectRejected(server, reply, reply.status, webCode)
  else expectRejected(server, reply, 400, 'duplicate_header')
  expect(reply.status).toBeGreaterThanOrEqual(400)
  expect(reply.status).toBeLessThan(500)
}

/** A dedupe store that counts the claims made on it. */
export function countingStore(): DedupeStore & { claims: string[] } {
  const inner = memoryStore()
  const claims: string[] = []
  return {
    claims,
    claim(key, leaseMs) {
      claims.push(key)
      return inner.claim(key, leaseMs)
    },
    complete: (key, token, ttlMs) => inner.complete(key, token, ttlMs),
    release: (key, token) => inner.release(key, token),
  }
}

/** A logger that keeps the code of every request it is told about. */
export function codeLogger(): {
  codes: string[]
  info(r: object): void
  warn(r: object): void
  error(r: object): void
} {
  const codes: string[] = []
  const keep = (record: object) => {
    const code = (record as { code?: unknown }).code
    if (typeof code === 'string') codes.push(code)
  }
  return { codes, info: keep, warn: keep, error: keep }
}

/** Polls `check` every 10 ms (after `refresh`, when given) until it holds; fails after `limitMs`. */
export async function waitFor(check: () => boolean, limitMs = 5_000, refresh?: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + limitMs
  for (await refresh?.(); !check(); await refresh?.()) {
    if (Date.now() >= deadline) throw new Error(`condition not met within ${limitMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/**
 * Opens a raw connection, writes the request head and part of the body, then
 * closes the socket: a sender that gives up mid-upload.
 */
export async function abandonUpload(url: string, headers: Record<string, string>, declared: number, sent: string) {
  const { hostname, port, pathname } = new URL(url)
  const lines = [`POST ${pathname} HTTP/1.1`, `host: ${hostname}:${port}`, `content-length: ${declared}`]
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`)
  const socket = connect(Number(port), hostname)
  socket.on('error', () => {})
  await new Promise<void>((resolve) => socket.once('connect', resolve))
  await new Promise<void>((resolve) => socket.write(`${lines.join('\r\n')}\r\n\r\n${sent}`, () => resolve()))
  await new Promise((resolve) => setTimeout(resolve, 20))
  await new Promise<void>((resolve) => socket.end(resolve))
  socket.destroy()
}
