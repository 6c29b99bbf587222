import { concatBytes } from './bytes.js'
import { WebhookError } from './errors.js'
import { idleWatchFor } from './idle-watch.js'
import type { BodySource, NodeReadableLike } from './types.js'

const encoder = new TextEncoder()
const empty = new Uint8Array(0)

function tooLarge(limit: number): WebhookError {
  return new WebhookError('payload_too_large', `body exceeds ${limit} bytes`)
}

function isWebStream(source: object): source is ReadableStream<Uint8Array> {
  return typeof (source as ReadableStream).getReader === 'function'
}

/**
 * Reads the raw body bytes, counting them against `limit` and failing with
 * `body_timeout` when no byte arrives for `idleMs`. Never parses, never
 * re-serializes. A Node stream is watched by one timer shared by every read
 * ({@link idleWatchFor}); a Web stream gets its own timer, since runtimes such
 * as Workers tie timers to the request that made them.
 */
export function readBody(source: BodySource, limit: number, idleMs: number): Uint8Array | Promise<Uint8Array> {
  if (source === null || source === undefined) return empty
  if (typeof source === 'string') source = encoder.encode(source)
  if (source instanceof Uint8Array) {
    if (source.byteLength > limit) throw tooLarge(limit)
    return source
  }
  return isWebStream(source) ? readWebStream(source, limit, idleMs) : readNodeStream(source, limit, idleMs)
}

async function readWebStream(stream: ReadableStream<Uint8Array>, limit: number, idleMs: number): Promise<Uint8Array> {
  const reader = stream.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  const idle = () =>
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new WebhookError('body_timeout', `no body bytes for ${idleMs} ms`)), idleMs)
    })
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), idle()])
      clearTimeout(timer)
      if (done) break
      size += value.byteLength
      if (size > limit) throw tooLarge(limit)
      chunks.push(value)
    }
  } catch (error) {
    clearTimeout(timer)
    reader.cancel().catch(() => {})
    if (error instanceof WebhookError) throw error
    throw new WebhookError('invalid_body', 'the body stream failed before it ended')
  }
  return chunks.length === 0 ? empty : concatBytes(chunks)
}

function readNodeStream(stream: NodeReadableLike, limit: number, idleMs: number): Promise<Uint8Array> {
  if (stream.readableEnded) return Promise.resolve(empty)
  const idle = idleWatchFor(idleMs)
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = []
    let size = 0

    let settled = false
    // The listeners stay on the request, which ends with this read: the first outcome wins, and a late
    // 'error' (a client that goes away after the body) still finds a listener.
    const finish = (error: WebhookError | null) => {
      if (settled) return
      settled = true
      idle.forget(watched)
      if (error) {
        stream.removeListener('data', onData)
        stream.pause()
        reject(error)
      } else {
        resolve(chunks.length === 0 ? empty : concatBytes(chunks))
      }
    }
    const onData = (chunk: Uint8Array | string) => {
      const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk
      size += bytes.byteLength
      if (size > limit) return finish(tooLarge(limit))
      chunks.push(bytes)
      idle.touch(watched)
    }
    const onEnd = () => finish(null)
    // Each failure builds its error only when it decides the outcome: the listeners stay on the request,
    // and its 'close' comes after every successful read (an Error with its stack costs microseconds).
    const onError = () => {
      if (!settled) finish(new WebhookError('invalid_body', 'the body stream failed before it ended'))
    }
    const onClose = () => {
      if (!settled) finish(new WebhookError('invalid_body', 'the client closed the connection before the body ended'))
    }
    const watched = idle.watch(() => {
      if (!settled) finish(new WebhookError('body_timeout', `no body bytes for ${idleMs} ms`))
    })

    stream.on('data', onData)
    stream.on('end', onEnd)
    stream.on('error', onError)
    stream.on('close', onClose)
  })
}
