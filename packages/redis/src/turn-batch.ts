import type { ChainableCommander, Cluster, Redis } from 'ioredis'
import { RedisStoreError } from './errors.js'

/** Where a command goes: a pipeline being filled, or the client itself. */
export type CommandTarget = ChainableCommander | Redis | Cluster

/**
 * One store call waiting for its turn: `send` adds its command to a target,
 * `answered` turns the reply (or the error) into the call's outcome, and may
 * itself send a follow-up (a script Redis forgot, sent again with EVAL).
 */
export interface QueuedCall {
  what: string
  send(target: CommandTarget): Promise<unknown> | unknown
  answered(error: Error | null, reply: unknown): Promise<unknown> | unknown
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function'
}

interface Waiting {
  call: QueuedCall
  resolve(reply: unknown): void
  reject(error: unknown): void
  done: boolean
}

/**
 * Collects the store calls made during one turn of the event loop and sends
 * them together when the turn ends (`setImmediate`): one pipeline, so one
 * write to Redis and one read of its answers for every delivery that reached
 * the store in that turn, and one timer for all of them. A Cluster client gets
 * each command on its own (ioredis pipelines only keys of one slot there; its
 * auto-pipelining groups them by node).
 *
 * @example
 * ```ts
 * const batch = turnBatch(client, 1_000)
 * const reply = await batch.call({
 *   what: 'claim',
 *   send: (target) => target.set('k', 'token', 'PX', 30_000, 'NX', 'GET'),
 *   answered: (error, reply) => { if (error) throw error; return reply },
 * })
 * ```
 */
export function turnBatch(client: Redis | Cluster, timeoutMs: number): { call(call: QueuedCall): Promise<unknown> } {
  const onePipeline = client.isCluster !== true
  let queued: Waiting[] = []

  function flush(): void {
    const batch = queued
    queued = []
    let pending = batch.length
    const timer = setTimeout(() => {
      for (const waiting of batch) {
        const error = new RedisStoreError('timeout', `Redis did not answer ${waiting.call.what} within ${timeoutMs} ms`)
        finish(waiting, error, true)
      }
    }, timeoutMs)
    function finish(waiting: Waiting, outcome: unknown, failed: boolean): void {
      if (waiting.done) return
      waiting.done = true
      if (failed) waiting.reject(outcome)
      else waiting.resolve(outcome)
      pending -= 1
      if (pending === 0) clearTimeout(timer)
    }
    // The timer covers a follow-up too: the call is finished once its outcome is.
    function answered(waiting: Waiting, error: Error | null, reply: unknown): void {
      if (waiting.done) return
      let outcome: unknown
      try {
        outcome = waiting.call.answered(error, reply)
      } catch (thrown) {
        finish(waiting, thrown, true)
        return
      }
      if (!isThenable(outcome)) {
        finish(waiting, outcome, false)
        return
      }
      outcome.then(
        (value) => finish(waiting, value, false),
        (thrown: unknown) => finish(waiting, thrown, true),
      )
    }
    if (!onePipeline) {
      for (const waiting of batch) {
        Promise.resolve(waiting.call.send(client)).then(
          (reply) => answered(waiting, null, reply),
          (error: Error) => answered(waiting, error, undefined),
        )
      }
      return
    }
    const pipeline = client.pipeline()
    for (const waiting of batch) waiting.call.send(pipeline)
    pipeline.exec().then(
      (results) => {
        batch.forEach((waiting, i) => {
          const [error, reply] = results?.[i] ?? [new Error('Redis answered no reply'), undefined]
          answered(waiting, error, reply)
        })
      },
      (error: Error) => {
        for (const waiting of batch) answered(waiting, error, undefined)
      },
    )
  }

  return {
    call(call: QueuedCall): Promise<unknown> {
      return new Promise((resolve, reject) => {
        if (queued.push({ call, resolve, reject, done: false }) === 1) setImmediate(flush)
      })
    },
  }
}
