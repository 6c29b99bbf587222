import { WebhookError } from '../errors.js'
import { concatBytes } from '../lib/bytes.js'
import { andThen } from '../lib/maybe-promise.js'
import type { BodySource, NodeReadableLike } from '../types.js'
import { type IdleWatch, idleWatchFor, type Watched } from './idle-watch.js'

const encoder = new TextEncoder()
const empty = new Uint8Array(0)

function tooLarge(limit: number): WebhookError {
  return new WebhookError('payload_too_large', `body exceeds ${limit} bytes`)
}

/** A Node stream has `on` (a Web stream does not); `on` is read for the listeners anyway. */
function isNodeStream(source: object): source is NodeReadableLike {
  return typeof (source as NodeReadableLike).on === 'function'
}

function idleTimeout(idleMs: number): WebhookError {
  return new WebhookError('body_timeout', `no body bytes for ${idleMs} ms`)
}

function deadlineTimeout(deadlineMs: number): WebhookError {
  return new WebhookError('body_timeout', `the body took longer than ${deadlineMs} ms in all`)
}

/**
 * Reads the raw body bytes, counting them against `limit` and failing with
 * `body_timeout` when no byte arrives for `idleMs`, or when the whole read
 * takes longer than `deadlineMs` (a body trickled just inside the idle limit).
 * Never parses, never re-serializes. A Node stream is watched by one timer
 * shared by every read ({@link idleWatchFor}); a Web stream gets its own
 * timer, since runtimes such as Workers tie timers to the request that made them.
 */
export function readBody(
  source: BodySource,
  limit: number,
  idleMs: number,
  deadlineMs = Number.POSITIVE_INFINITY,
): Uint8Array | Promise<Uint8Array> {
  if (source === null || source === undefined) return empty
  if (typeof source === 'string') source = encoder.encode(source)
  if (source instanceof Uint8Array) {
    if (source.byteLength > limit) throw tooLarge(limit)
    return source
  }
  return isNodeStream(source)
    ? readNodeStream(source, limit, idleMs, deadlineMs)
    : readWebStream(source, limit, idleMs, deadlineMs)
}

/** Where {@link readBodyInto} puts what it read: the delivery. */
export interface BodySink {
  body: Uint8Array
  /** Whether the body was read to its end. */
  bodyRead: boolean
}

/**
 * {@link readBody}, with the bytes put on `sink` rather than returned: a
 * pipeline step that goes on once the body is in, with no promise of its own
 * on the way (a Node stream's read settles straight into the sink).
 */
export function readBodyInto(
  sink: BodySink,
  source: BodySource,
  limit: number,
  idleMs: number,
  deadlineMs = Number.POSITIVE_INFINITY,
): undefined | Promise<undefined> {
  const put = (bytes: Uint8Array): undefined => {
    sink.body = bytes
    sink.bodyRead = true
    return undefined
  }
  if (source !== null && typeof source === 'object' && !(source instanceof Uint8Array) && isNodeStream(source)) {
    if (source.readableEnded) return put(empty)
    return new Promise(
      (resolve, reject) => new NodeBodyRead(source, limit, idleMs, deadlineMs, (bytes) => resolve(put(bytes)), reject),
    )
  }
  const received = readBody(source, limit, idleMs, deadlineMs)
  return andThen(received, put)
}

async function readWebStream(
  stream: ReadableStream<Uint8Array>,
  limit: number,
  idleMs: number,
  deadlineMs: number,
): Promise<Uint8Array> {
  const reader = stream.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = Date.now() + deadlineMs
  // One timer per read: the idle limit, or what is left of the deadline when that comes first.
  const timeout = () =>
    new Promise<never>((_, reject) => {
      const left = deadline - Date.now()
      if (left <= idleMs) timer = setTimeout(() => reject(deadlineTimeout(deadlineMs)), Math.max(0, left))
      else timer = setTimeout(() => reject(idleTimeout(idleMs)), idleMs)
    })
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), timeout()])
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

function readNodeStream(
  stream: NodeReadableLike,
  limit: number,
  idleMs: number,
  deadlineMs: number,
): Promise<Uint8Array> {
  if (stream.readableEnded) return Promise.resolve(empty)
  return new Promise((resolve, reject) => new NodeBodyRead(stream, limit, idleMs, deadlineMs, resolve, reject))
}

/**
 * One read of a Node stream, watched for idleness and its deadline by the shared watch. The
 * listeners stay on the request, which ends with this read: the first outcome
 * wins, and a late 'error' (a client that goes away after the body) still
 * finds a listener. A failure builds its error only when it decides the
 * outcome: the request's 'close' follows every successful read, and an Error
 * with its stack costs microseconds.
 */
class NodeBodyRead implements Watched {
  lastTick = 0
  startTick = 0
  index = -1
  private readonly chunks: Uint8Array[] = []
  private size = 0
  private settled = false
  private readonly idle: IdleWatch

  constructor(
    private readonly stream: NodeReadableLike,
    private readonly limit: number,
    private readonly idleMs: number,
    private readonly deadlineMs: number,
    private readonly resolve: (body: Uint8Array) => void,
    private readonly reject: (error: WebhookError) => void,
  ) {
    this.idle = idleWatchFor(idleMs, deadlineMs)
    this.idle.watch(this)
    stream.on('data', this.onData)
    stream.on('end', this.onEnd)
    // 'error' passes the error; 'close' passes nothing.
    stream.on('error', this.onFailure)
    stream.on('close', this.onFailure)
  }

  private readonly onData = (chunk: Uint8Array | string) => {
    const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk
    this.size += bytes.byteLength
    if (this.size > this.limit) return this.fail(tooLarge(this.limit))
    this.chunks.push(bytes)
    this.idle.touch(this)
  }

  private readonly onEnd = () => {
    if (this.settled) return
    this.settled = true
    this.idle.forget(this)
    this.resolve(this.chunks.length === 0 ? empty : concatBytes(this.chunks))
  }

  private readonly onFailure = (error?: unknown) => {
    if (this.settled) return
    const detail =
      error === undefined
        ? 'the client closed the connection before the body ended'
        : 'the body stream failed before it ended'
    this.fail(new WebhookError('invalid_body', detail))
  }

  /** Told by the idle watch: no byte arrived for `idleMs`. */
  onIdle(): void {
    if (!this.settled) this.fail(idleTimeout(this.idleMs))
  }

  /** Told by the watch: the read has lasted `deadlineMs`. */
  onDeadline(): void {
    if (!this.settled) this.fail(deadlineTimeout(this.deadlineMs))
  }

  private fail(error: WebhookError): void {
    if (this.settled) return
    this.settled = true
    this.idle.forget(this)
    this.stream.removeListener('data', this.onData)
    this.stream.pause()
    this.reject(error)
  }
}
