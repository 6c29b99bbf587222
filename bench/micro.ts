import { createHmac, timingSafeEqual } from 'node:crypto'
import { bearerToken, jwt, standardWebhooks, type VerifyContext } from '@hookguard/core'
import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods'
import { SignJWT } from 'jose'
import { Webhook as StandardWebhook } from 'standardwebhooks'
import Stripe from 'stripe'
import { Webhook as SvixWebhook } from 'svix'
import { Bench } from 'tinybench'
import * as nodePort from '../packages/core/src/verify/crypto/node.js'
import * as webPort from '../packages/core/src/verify/crypto/web.js'
import { type BenchSecret, jsonPayload, median, nowSeconds, signStandard } from './shared.js'

export interface MicroOptions {
  sizes: readonly number[]
  rounds: number
  /** tinybench time budget per task per round, ms. */
  timeMs: number
}

export interface MicroRow {
  size: number
  name: string
  /** Median over rounds of the per-op median time, in µs. */
  microseconds: number
  opsPerSec: number
  /** Median over rounds of (this task's time / the floor's time) in the same round. */
  ratioToFloor: number
  note?: string
}

export interface MicroResult {
  rows: MicroRow[]
  notes: string[]
}

interface Case {
  name: string
  fn: () => unknown
  note?: string
}

const floorName = 'floor: node:crypto createHmac + timingSafeEqual'
function context(headers: Record<string, string>, body: Uint8Array): VerifyContext {
  return { method: 'POST', headers, body, params: {}, tls: undefined, nowMs: Date.now(), toleranceSeconds: 300 }
}

async function buildCases(size: number, secret: BenchSecret): Promise<Case[]> {
  const text = jsonPayload(size)
  const body = new Uint8Array(Buffer.from(text))
  const id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W'
  const timestamp = nowSeconds()
  const headers = signStandard(secret.key, id, timestamp, body)
  const signature = Buffer.from((headers['webhook-signature'] as string).slice(3))
  const prefix = `${id}.${timestamp}.`

  const cases: Case[] = []
  cases.push({
    name: floorName,
    fn: () => {
      const digest = createHmac('sha256', secret.key).update(prefix).update(body).digest('base64')
      const expected = Buffer.from(digest)
      if (expected.length !== signature.length || !timingSafeEqual(expected, signature)) throw new Error('mismatch')
    },
  })

  const standard = standardWebhooks({ secret: secret.whsec })
  const standardCtx = context(headers, body)
  cases.push({ name: 'hookguard standardWebhooks().verify', fn: () => standard.verify(standardCtx) })

  const bearer = bearerToken({ tokens: 'tok_bench_0123456789abcdef' })
  const bearerCtx = context({ authorization: 'Bearer tok_bench_0123456789abcdef' }, body)
  cases.push({ name: 'hookguard bearerToken().verify', fn: () => bearer.verify(bearerCtx) })

  const jwtSecret = new TextEncoder().encode('jwt-bench-secret-0123456789-abcdef')
  const token = await new SignJWT({ sub: 'sender' })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(jwtSecret)
  const jwtVerifier = jwt({ secret: jwtSecret, algorithms: ['HS256'], issuer: null, audience: null })
  const jwtCtx = context({ authorization: `Bearer ${token}` }, body)
  cases.push({ name: 'hookguard jwt().verify (HS256)', fn: () => jwtVerifier.verify(jwtCtx) })

  const svix = new SvixWebhook(secret.whsec)
  const svixHeaders = {
    'svix-id': id,
    'svix-timestamp': String(timestamp),
    'svix-signature': headers['webhook-signature'] as string,
  }
  // svix 2 verifies through standardwebhooks with { jsonParse: false } and returns nothing.
  cases.push({ name: 'svix Webhook.verify', fn: () => svix.verify(text, svixHeaders), note: 'svix 2, no JSON parse' })

  const standardPeer = new StandardWebhook(secret.whsec)
  cases.push({
    name: 'standardwebhooks Webhook.verify',
    fn: () => standardPeer.verify(text, headers, { jsonParse: false }),
    note: 'jsonParse: false',
  })

  const stripe = new Stripe('sk_test_bench')
  const stripeSecret = 'whsec_stripe_bench'
  const stripeHeader = stripe.webhooks.generateTestHeaderString({ payload: text, secret: stripeSecret, timestamp })
  cases.push({
    name: 'stripe webhooks.constructEvent',
    fn: () => stripe.webhooks.constructEvent(text, stripeHeader, stripeSecret),
    note: 'parses the JSON body too',
  })
  cases.push({
    name: 'stripe webhooks.signature.verifyHeader',
    fn: () => stripe.webhooks.signature!.verifyHeader(text, stripeHeader, stripeSecret),
    note: 'no JSON parse',
  })

  const octokitSecret = 'octokit-bench-secret'
  const octokitSignature = await octokitSign(octokitSecret, text)
  cases.push({
    name: '@octokit/webhooks-methods verify',
    fn: async () => {
      if (!(await octokitVerify(octokitSecret, text, octokitSignature))) throw new Error('mismatch')
    },
  })

  const signed = [id, '.', String(timestamp), '.', body] as const
  const nodeKey = nodePort.hmacKey('sha256', secret.key)
  const webKey = webPort.hmacKey('sha256', secret.key)
  cases.push({ name: 'crypto port: node hmacKey().digest', fn: () => nodeKey.digest(signed, 'base64') })
  cases.push({ name: 'crypto port: web hmacKey().digest', fn: () => webKey.digest(signed, 'base64') })
  return cases
}

/** Calls per sample, so a sample lasts long enough that the timer's own cost does not matter. */
function batchFor(size: number): number {
  return Math.max(1, Math.round(16_384 / size))
}

/** A tinybench task running `batch` calls; it awaits each call only if the function returns a promise. */
async function taskFor(c: Case, batch: number): Promise<() => unknown> {
  const probe = c.fn()
  if (probe instanceof Promise) {
    await probe
    return async () => {
      for (let i = 0; i < batch; i++) await c.fn()
    }
  }
  return () => {
    for (let i = 0; i < batch; i++) c.fn()
  }
}

/** Runs every case at every size, `rounds` times with the order rotated, and takes medians. */
export async function runMicro(options: MicroOptions, secret: BenchSecret, log: (line: string) => void) {
  const rows: MicroRow[] = []
  const notes: string[] = []
  for (const size of options.sizes) {
    const cases = await buildCases(size, secret)
    const live = cases
    const batch = batchFor(size)
    const tasks = new Map<string, () => unknown>()
    for (const c of live) tasks.set(c.name, await taskFor(c, batch))
    const times = new Map<string, number[]>(live.map((c) => [c.name, []]))
    const ratios = new Map<string, number[]>(live.map((c) => [c.name, []]))
    for (let round = 0; round < options.rounds; round++) {
      const bench = new Bench({
        time: options.timeMs,
        iterations: 5,
        warmupTime: Math.max(5, options.timeMs / 4),
        warmupIterations: 2,
      })
      const order = live.map((_, i) => live[(i + round) % live.length] as Case)
      for (const c of order) bench.add(c.name, tasks.get(c.name)!)
      await bench.run()
      const perOp = new Map<string, number>()
      for (const task of bench.tasks) {
        const result = task.result
        if (result.state !== 'completed') {
          const error = 'error' in result ? String(result.error) : result.state
          throw new Error(`micro benchmark ${task.name} at ${size} B: ${error}`)
        }
        perOp.set(task.name, (result.latency.p50 * 1000) / batch)
      }
      const floor = perOp.get(floorName)!
      for (const [name, us] of perOp) {
        times.get(name)!.push(us)
        ratios.get(name)!.push(us / floor)
      }
    }
    for (const c of live) {
      const us = median(times.get(c.name)!)
      rows.push({
        size,
        name: c.name,
        microseconds: us,
        opsPerSec: 1e6 / us,
        ratioToFloor: median(ratios.get(c.name)!),
        note: c.note,
      })
    }
    log(`  micro ${size} B done`)
  }
  return { rows, notes: [...new Set(notes)] } satisfies MicroResult
}
