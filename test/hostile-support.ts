import { connect } from 'node:net'
import { type DedupeStore, memoryStore } from '@hookguard/core'
import type { Start } from './cases/support.js'
import type { TargetFacts } from './harness.js'

/** One hostile input every target must survive, over real HTTP; `target` says where a target's outcome differs. */
export interface HostileCase {
  name: string
  run(start: Start, target: TargetFacts): Promise<void>
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
