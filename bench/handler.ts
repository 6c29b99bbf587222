/**
 * The in-process handler benchmark: the node:http apps of `bench/apps.ts`
 * called directly on real `IncomingMessage` and `ServerResponse` objects, with
 * no socket and no load generator. What it measures is the time a handler
 * takes per request, so hookguard's own cost over a hand-written HMAC check
 * shows apart from what the HTTP benchmark adds to it on a small machine: the
 * loopback writes, and a load generator sharing the cores.
 */
import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import { makeGuard, nodeHandler, type Variant } from './apps.js'
import type { HttpConfig } from './http.js'
import { type BenchSecret, eventIdFactory, jsonPayload, median, nowSeconds, signStandard } from './shared.js'

export interface HandlerOptions {
  /** Timed rounds; every variant runs once per round, in an order that alternates. */
  rounds: number
  /** Rounds run first and thrown away, while the JIT settles. */
  warmupRounds: number
  /** Requests per variant per round. */
  requests: number
  /** Requests in flight at once, like the HTTP benchmark's connections. */
  lanes: number
  payloadSize: number
}

export interface HandlerRow {
  variant: Variant
  label: string
  /** Median over rounds of the time per request, in µs. */
  microseconds: number
  /** Median over rounds of the HMAC handler's time over this one's (below 1 costs more). */
  ratioToHmac: number
  /** Median over rounds of this handler's time per request minus the HMAC handler's, in µs. */
  addedOverHmac: number
}

/** The apps this benchmark runs, of those the HTTP benchmark runs on node:http. */
export const handlerVariants: readonly Variant[] = ['bare', 'hmac', 'hookguard', 'svix']

// node:http builds `req.headers` from `rawHeaders` on its first read, counting them with this internal symbol.
const headersCount = Object.getOwnPropertySymbols(new IncomingMessage(new Socket())).find(
  (symbol) => symbol.description === 'kHeadersCount',
)

/** One delivery as node:http hands it to a handler: headers parsed, the body waiting in the stream. */
function delivery(socket: Socket, rawHeaders: string[], body: Buffer) {
  const req = new IncomingMessage(socket)
  req.method = 'POST'
  req.url = '/hooks'
  req.httpVersionMajor = 1
  req.httpVersionMinor = 1
  req.rawHeaders = rawHeaders
  if (headersCount) {
    // As in a server: the header object is built on its first read.
    ;(req as unknown as Record<symbol, number>)[headersCount] = rawHeaders.length
  } else {
    const headers: Record<string, string> = {}
    for (let i = 0; i < rawHeaders.length; i += 2) headers[rawHeaders[i]!] = rawHeaders[i + 1]!
    req.headers = headers
  }
  req.push(body)
  req.push(null)
  return { req, res: new ServerResponse(req) }
}

/**
 * Runs the node:http handlers of `apps` (the HTTP benchmark's node:http apps
 * of {@link handlerVariants}, the HMAC app among them) on the same signed
 * deliveries (each with its own event id), interleaved, and reports medians
 * over rounds.
 */
export async function runHandlers(
  options: HandlerOptions,
  apps: readonly HttpConfig[],
  secret: BenchSecret,
): Promise<HandlerRow[]> {
  const labels = apps.map((app): [Variant, string] => [app.variant, app.label])
  if (!labels.some(([variant]) => variant === 'hmac')) throw new Error('handler benchmark: the HMAC app is missing')
  const body = Buffer.from(jsonPayload(options.payloadSize))
  const socket = new Socket()
  // A socket that never connected has no address: give it the loopback's, which the allowlist lets in.
  Object.defineProperty(socket, 'remoteAddress', { value: '127.0.0.1' })
  const nextId = eventIdFactory()
  const pipeline = await makeGuard('memory', false)
  const handlers = labels.map(([variant]) => nodeHandler(variant, variant === 'hookguard' ? pipeline.guard : undefined))
  const times: number[][] = labels.map(() => [])
  let failures = 0

  async function timeOne(index: number): Promise<number> {
    const timestamp = nowSeconds()
    const batch = Array.from({ length: options.requests }, () => {
      const headers = {
        host: '127.0.0.1',
        'content-length': String(body.length),
        'user-agent': 'bench',
        ...signStandard(secret.key, nextId(), timestamp, body),
      }
      return delivery(socket, Object.entries(headers).flat(), body)
    })
    const handle = handlers[index]!
    let next = 0
    const lane = async () => {
      while (next < batch.length) {
        const { req, res } = batch[next++]!
        await handle(req, res)
        if (res.statusCode !== 202) failures += 1
      }
    }
    const started = process.hrtime.bigint()
    await Promise.all(Array.from({ length: options.lanes }, lane))
    return Number(process.hrtime.bigint() - started) / 1000 / batch.length
  }

  for (let round = 0; round < options.warmupRounds + options.rounds; round++) {
    const order = labels.map((_, i) => i)
    if (round % 2 === 1) order.reverse()
    for (const index of order) {
      const microseconds = await timeOne(index)
      if (round >= options.warmupRounds) times[index]!.push(microseconds)
    }
  }
  await pipeline.close()
  if (failures > 0) throw new Error(`handler benchmark: ${failures} answers other than 202`)

  const hmac = times[labels.findIndex(([variant]) => variant === 'hmac')]!
  return labels.map(([variant, label], i) => {
    const mine = times[i]!
    return {
      variant,
      label,
      microseconds: median(mine),
      ratioToHmac: median(mine.map((t, round) => hmac[round]! / t)),
      addedOverHmac: median(mine.map((t, round) => t - hmac[round]!)),
    }
  })
}
