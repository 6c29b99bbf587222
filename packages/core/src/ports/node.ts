import type { HeaderBag } from '../lib/headers.js'
import type { NodeReadableLike, TlsPeer, WebhookRequest } from '../types.js'

/** A Node.js `IncomingMessage`, as far as the core reads it (no `node:` import). */
export interface NodeIncomingLike extends NodeReadableLike {
  method?: string
  url?: string
  headers: HeaderBag
  headersDistinct?: HeaderBag
  /** Names and values as they arrived, alternating. */
  rawHeaders?: readonly string[]
  socket?: {
    remoteAddress?: string
    encrypted?: boolean
    authorized?: boolean
    getPeerCertificate?: () => {
      fingerprint256?: string
      subject?: Record<string, string | string[]>
      issuer?: Record<string, string | string[]>
    } | null
  } | null
  /** Set by body-parser once it consumed the stream. */
  _body?: boolean
}

/** What a Node adapter adds to the request it reads. */
export interface NodeRequestExtras {
  params?: Readonly<Record<string, string>>
  path?: string
  /**
   * What a body parser left (`req.body`, `ctx.request.rawBody`), asked for
   * only when the stream was already consumed: raw bytes or raw text are used
   * as the body; anything else means the raw bytes are gone. A function, so a
   * request that no parser touched reads nothing more: under Express every
   * request gets a new hidden class, and each property read costs a lookup.
   */
  leftoverBody?: () => unknown
  /**
   * How to fix the setup when the raw body is gone (something read the stream and left no raw bytes); goes to the
   * developer log with the 500 `raw_body_unavailable`. An adapter names its framework's fix; the default suits a
   * plain `node:http` server.
   */
  rawBodyHint?: string
}

/** The fix {@link NodeRequestExtras.rawBodyHint} names when an adapter gives none. */
const defaultRawBodyHint =
  'the request body was read before hookguard: hand the request to fromNodeRequest before anything reads it ' +
  '(no body parser, no data listener), or pass the raw bytes a parser kept as leftoverBody'

type NodeSocket = NonNullable<NodeIncomingLike['socket']>

/** What a connection says about its client, the same for every request on it. */
interface SocketFacts {
  remoteAddress: string | undefined
  encrypted: boolean
}

// Keep-alive senders make many requests on one connection: its address and kind are read once.
const socketFacts = new WeakMap<NodeSocket, SocketFacts>()

function factsOf(socket: NodeSocket): SocketFacts {
  let facts = socketFacts.get(socket)
  if (facts === undefined) {
    facts = { remoteAddress: socket.remoteAddress, encrypted: socket.encrypted === true }
    // A socket that has not connected yet (or is gone) has no address: ask again next time.
    if (facts.remoteAddress !== undefined) socketFacts.set(socket, facts)
  }
  return facts
}

/** The client certificate, read on each request (a renegotiation may change it). */
function tlsPeer(socket: NodeSocket): TlsPeer {
  const certificate = socket.getPeerCertificate?.() ?? null
  const present = certificate !== null && Object.keys(certificate).length > 0
  return {
    authorized: socket.authorized === true && present,
    fingerprint256: present ? certificate.fingerprint256 : undefined,
    subject: present ? certificate.subject : undefined,
    issuer: present ? certificate.issuer : undefined,
  }
}

/**
 * The headers with repeated ones kept apart. Node's `req.headers` keeps only
 * the first of a repeated `Authorization` or `Content-Type` and joins others
 * with `, `, so the guard reads `req.headersDistinct` whenever a name may
 * have come twice; when none did (the usual case), `req.headers` says the
 * same, and is already built. Repeats are told from the names in
 * `rawHeaders`, never from a count of `req.headers`, which a middleware may
 * have added to (a request id).
 */
function distinctHeaders(req: NodeIncomingLike): HeaderBag {
  const { headers, rawHeaders } = req
  // (`headersDistinct` is a getter that builds a new object: read it only when it is needed.)
  if (rawHeaders !== undefined && !mayRepeatName(rawHeaders)) return headers
  return req.headersDistinct ?? headers
}

/** Beyond this many header lines the pairwise look costs more than building `headersDistinct`. */
const maxPairwiseNames = 32

/**
 * Whether a header name may appear twice in `rawHeaders` (names and values,
 * alternating), ignoring case. A request carries a dozen names, so each is
 * compared with those before it, with no set built; it errs only towards yes,
 * which costs `headersDistinct`, never a missed repeat.
 */
function mayRepeatName(rawHeaders: readonly string[]): boolean {
  if (rawHeaders.length > 2 * maxPairwiseNames) return true
  for (let i = 2; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string
    for (let j = 0; j < i; j += 2) {
      if (sameLetters(name, rawHeaders[j] as string)) return true
    }
  }
  return false
}

/**
 * Equal but for case: ASCII and Latin-1 letters differ from their upper case
 * in bit 0x20 only. A few other pairs (`^` and `~`) compare equal too, which
 * only sends the request to `headersDistinct`.
 */
function sameLetters(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  for (let k = 0; k < a.length; k++) {
    if ((a.charCodeAt(k) | 0x20) !== (b.charCodeAt(k) | 0x20)) return false
  }
  return true
}

/** The path and the raw query string of a request target, in origin or absolute form. */
function splitTarget(url: string | undefined): { path: string | undefined; query: string } {
  if (url === undefined) return { path: undefined, query: '' }
  // The absolute form (`POST http://host/hooks`), which proxies may send, names the path after the authority.
  if (!url.startsWith('/')) {
    try {
      const parsed = new URL(url)
      return { path: parsed.pathname, query: parsed.search.slice(1) }
    } catch {
      return { path: undefined, query: '' }
    }
  }
  const mark = url.indexOf('?')
  return mark === -1 ? { path: url, query: '' } : { path: url.slice(0, mark), query: url.slice(mark + 1) }
}

/**
 * The neutral request for a Node.js `IncomingMessage`: the path and raw query
 * string from `req.url`, repeated headers kept
 * apart (`headersDistinct`), the socket address, TLS peer details, and the
 * raw body as bytes left by a raw parser (marked `bodyDecoded`) or as the
 * unread stream.
 */
export function fromNodeRequest(req: NodeIncomingLike, extras: NodeRequestExtras = {}): WebhookRequest {
  const socket = req.socket ?? undefined
  const facts = socket ? factsOf(socket) : undefined
  const target = splitTarget(req.url)
  const request: WebhookRequest = {
    method: req.method ?? 'GET',
    path: extras.path ?? target.path,
    query: target.query,
    params: extras.params,
    headers: distinctHeaders(req),
    remoteAddress: facts?.remoteAddress,
    tls: socket && facts?.encrypted ? tlsPeer(socket) : undefined,
    body: req,
  }
  if (req.readableEnded || req._body === true) {
    const leftover = extras.leftoverBody?.()
    if (leftover instanceof Uint8Array || typeof leftover === 'string') {
      request.body = leftover
      // A parser that leaves bytes has undone the Content-Encoding (express.raw() and co-body inflate by default).
      request.bodyDecoded = true
    } else request.bodyUnavailable = extras.rawBodyHint ?? defaultRawBodyHint
  }
  return request
}
