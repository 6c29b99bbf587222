// The adapter kit: what a framework adapter needs to turn its request into the core's neutral request and to
// write the verdict back. Applications import from '@hookguard/core'; adapters from '@hookguard/core/adapter'.
export { headersFromWeb } from './lib/headers.js'
export type { Unwritten, UnwrittenReason } from './observe/unwritten.js'
export { fromNodeRequest, type NodeIncomingLike, type NodeRequestExtras } from './ports/node.js'
export { type NodeResponseLike, type NodeResponseState, unwritableReason, writeVerdict } from './ports/node-response.js'
export { fromWebRequest, toResponse, type WebRequestInfo } from './ports/web.js'
export type { BodySource, NodeReadableLike, TlsPeer, Verdict, WebhookRequest } from './types.js'
