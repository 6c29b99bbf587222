import { randomBytes } from 'node:crypto'
import type { ClaimResult, DedupeStore } from '@hookguard/core'
import type { Cluster, Redis } from 'ioredis'
import { RedisStoreError } from './errors.js'
import {
  claimedReply,
  claimScript,
  completeScript,
  doneMarker,
  doneReply,
  inFlightReply,
  type LuaScript,
  releaseScript,
} from './scripts.js'
import { type QueuedCall, turnBatch } from './turn-batch.js'

/** Options for {@link redisStore}. */
export interface RedisStoreOptions {
  /**
   * Your ioredis client (`Redis` or `Cluster`). Give the store its own client
   * created with `{ enableOfflineQueue: false, maxRetriesPerRequest: 0 }`, so a
   * command fails at once while Redis is unreachable instead of waiting in
   * ioredis's queue and running late after a reconnect.
   */
  client: Redis | Cluster
  /** Prepended to every key (the guard's key, which holds its `namespace`, follows). Default `hookguard:`. */
  prefix?: string
  /**
   * The longest a store call may take, in ms; after that it throws a
   * `RedisStoreError` with code `timeout` and the guard answers 503 well inside
   * the sender's deadline. Default 1 000.
   */
  timeoutMs?: number
  /**
   * Answer the sender once the event is enqueued and the `complete` is sent,
   * without waiting for Redis to confirm it: one round trip per accepted
   * delivery instead of two. A completion that is lost (Redis down, the
   * process gone) leaves the claim's lease, which expires after the guard's
   * `leaseMs`: a re-send is `409 in_flight` until then and enqueued again
   * after it, a duplicate, never a loss. Its failure is logged and counted in
   * `storeErrors` as before. `false` waits for the completion. Default `true`.
   */
  completeAfterAnswer?: boolean
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT')
}

/** How Redis before 7.0 answers `SET … NX … GET` (and before 6.2, any `GET` option). */
function isSyntaxError(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('ERR syntax error')
}

function nothing(): void {}

/** A claim's outcome from its reply; an answer no claim gives is an `unexpected_reply` error. */
function claimOutcome(reply: unknown, token: string): ClaimResult {
  const status = claimStatus(reply)
  if (status === undefined) throw new RedisStoreError('unexpected_reply', `claim answered ${String(reply)}`)
  return status === 'claimed' ? { status, token } : { status }
}

/**
 * What a claim's reply means. The native `SET … NX GET` answers the value it
 * found: none when it set ours, the done marker, or another claim's token;
 * the script answers a number.
 */
function claimStatus(reply: unknown): ClaimResult['status'] | undefined {
  if (reply === null || reply === claimedReply) return 'claimed'
  if (reply === doneMarker || reply === doneReply) return 'done'
  if (typeof reply === 'string' || reply === inFlightReply) return 'in_flight'
  return undefined
}

function wholeMs(ms: number): number {
  return Math.max(1, Math.ceil(ms))
}

/**
 * A dedupe store on Redis, shared by every process that receives the same
 * webhooks. Each step is one atomic command and one round trip: `claim` is
 * the native `SET key token PX lease NX GET` (Redis 7.0 or later; before, the
 * same steps in a Lua script), which sets the lease or answers the value found
 * there, the done marker or another claim's token; `release` (a Lua
 * compare-and-delete) acts only while the stored token is still the caller's,
 * and `complete` (Lua) marks the id done unless a newer claim holds it (an
 * expired, unclaimed lease is marked done too: the event was enqueued).
 * The calls of one event-loop turn go to Redis together, in one pipeline.
 * The guard answers without waiting for `complete` (`completeAfterAnswer`): a
 * lost completion leaves the lease, so the id can come back as a duplicate
 * once the lease expires, never be dropped.
 * When Redis is unreachable every call throws within `timeoutMs`, and the
 * guard fails closed (503, the sender retries) unless `storeFailure: 'open'`
 * is set.
 *
 * @example
 * ```ts
 * import { createGuard, standardWebhooks } from '@hookguard/core'
 * import { redisStore } from '@hookguard/redis'
 * import { Redis } from 'ioredis'
 *
 * const client = new Redis(process.env.REDIS_URL!, {
 *   enableOfflineQueue: false,
 *   maxRetriesPerRequest: 0,
 *   enableAutoPipelining: true,
 * })
 * const guard = createGuard({
 *   verify: [standardWebhooks({ secret: process.env.WEBHOOK_SECRET! })],
 *   enqueue: async (event) => { await queue.add(event.type ?? 'webhook', event, { jobId: event.id! }) },
 *   dedupe: redisStore({ client, prefix: 'myapp:' }),
 * })
 * ```
 */
export function redisStore(options: RedisStoreOptions): DedupeStore {
  if (!options || typeof options !== 'object') throw new TypeError('redisStore needs an options object')
  const { client } = options
  if (!client || typeof client.evalsha !== 'function' || typeof client.eval !== 'function') {
    throw new TypeError('client must be an ioredis Redis or Cluster instance')
  }
  const prefix = options.prefix ?? 'hookguard:'
  if (typeof prefix !== 'string') throw new TypeError('prefix must be a string')
  const timeoutMs = options.timeoutMs ?? 1_000
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new TypeError('timeoutMs must be a positive number')
  }

  const completeAfterAnswer = options.completeAfterAnswer ?? true
  if (typeof completeAfterAnswer !== 'boolean') throw new TypeError('completeAfterAnswer must be a boolean')
  // Tokens: a random part per store (72 bits, so no two processes share one) and a counter; 13+ characters, never 'done'.
  const tokenBase = randomBytes(9).toString('base64url')
  let counter = 0

  const batch = turnBatch(client, timeoutMs)

  /** One EVALSHA, and EVAL once if Redis forgot the script (it does when it restarts; then it is cached again). */
  function scriptCall(
    what: string,
    script: LuaScript,
    keys: string[],
    args: (string | number)[],
    sending?: () => void,
  ): QueuedCall {
    return {
      what,
      send(target) {
        sending?.()
        return target.evalsha(script.sha, keys.length, ...keys, ...args)
      },
      answered(error, reply) {
        if (error === null) return reply
        if (!isNoScript(error)) throw error
        return client.eval(script.source, keys.length, ...keys, ...args)
      },
    }
  }

  // Redis before 7.0 refuses NX with GET: the store then claims with the script, the same steps in Lua.
  let nativeClaim = true
  function claimCall(fullKey: string, token: string, leaseMs: number): QueuedCall {
    if (!nativeClaim) {
      const script = scriptCall('claim', claimScript, [fullKey], [token, leaseMs])
      return {
        ...script,
        answered: (error, reply) =>
          Promise.resolve(script.answered(error, reply)).then((found) => claimOutcome(found, token)),
      }
    }
    return {
      what: 'claim',
      send: (target) => target.set(fullKey, token, 'PX', leaseMs, 'NX', 'GET'),
      answered(error, reply) {
        if (error === null) return claimOutcome(reply, token)
        if (!isSyntaxError(error)) throw error
        nativeClaim = false
        const script = scriptCall('claim', claimScript, [fullKey], [token, leaseMs])
        return Promise.resolve(script.send(client))
          .catch((failed: Error) => script.answered(failed, undefined))
          .then((found) => claimOutcome(found, token))
      },
    }
  }

  /**
   * The completions of one turn, as one script run over all their keys; a Cluster client runs it per key
   * (its keys may be in different slots).
   */
  const groupsCompletions = client.isCluster !== true
  let completions: { keys: string[]; args: (string | number)[]; sent: Promise<void> } | undefined
  function completion(fullKey: string, token: string, ttlMs: number): Promise<void> {
    if (!groupsCompletions) {
      return batch.call(scriptCall('complete', completeScript, [fullKey], [token, ttlMs])).then(nothing)
    }
    let group = completions
    if (group === undefined) {
      const keys: string[] = []
      const args: (string | number)[] = []
      // Once sent, the group is closed: a later completion starts the next one.
      const call = scriptCall('complete', completeScript, keys, args, () => {
        completions = undefined
      })
      group = { keys, args, sent: batch.call(call).then(nothing) }
      completions = group
    }
    group.keys.push(fullKey)
    group.args.push(token, ttlMs)
    return group.sent
  }

  return {
    completeAfterAnswer,
    claim(key: string, leaseMs: number): Promise<ClaimResult> {
      counter += 1
      const token = tokenBase + counter.toString(36)
      return batch.call(claimCall(prefix + key, token, wholeMs(leaseMs))) as Promise<ClaimResult>
    },
    complete(key: string, token: string, ttlMs: number): Promise<void> {
      return completion(prefix + key, token, wholeMs(ttlMs))
    },
    async release(key: string, token: string): Promise<void> {
      await batch.call(scriptCall('release', releaseScript, [prefix + key], [token]))
    },
  }
}
