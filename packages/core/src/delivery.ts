import type { ContentCoding } from './admit/coding.js'
import type { SenderHandshake } from './admit/handshake.js'
import type { HeldKeys } from './dedupe/held-keys.js'
import type { Verified } from './event/build-event.js'
import type { ReceivedEvent } from './event/received-event.js'
import type { RequestRecord } from './observe/observer.js'
import type { WebhookRequest } from './types.js'
import type { HandshakeReply } from './verify/verifier.js'

const noBody = new Uint8Array(0)

/**
 * One request on its way through the pipeline: what each step found, for the
 * steps after it, and the request's record for the log and the hooks.
 */
export class Delivery implements RequestRecord {
  // Found by the steps, in the order they run.
  /** Step 1: the sender's handshake this request may be, if any. */
  handshake: SenderHandshake | undefined = undefined
  /** Step 3 (or step 5, from a JWT claim): the tenant the request names, when the guard names tenants. */
  tenant: string | null = null
  /** Step 3: the content coding to undo, if any. */
  coding: ContentCoding | null = null
  /** Step 4: the raw body (decompressed, when it was compressed). */
  body: Uint8Array = noBody
  /** Step 5: what the verifiers that passed vouched for. */
  readonly verified: Verified = { id: undefined, type: undefined, timestamp: null, auth: [], replays: undefined }
  /** Step 5: the reply to a handshake, when the request was one. */
  handshakeReply: HandshakeReply | undefined = undefined
  /** Step 6: the event. */
  event: ReceivedEvent | undefined = undefined
  /** Step 7: the dedupe keys claimed. */
  held: HeldKeys | undefined = undefined

  // The record.
  sourceIp: string | null = null
  eventId: string | null = null
  eventType: string | null = null
  verifier: string | null = null
  detail: string | undefined = undefined
  /** Whether the body was read to its end (if not, the connection must close). */
  bodyRead = false

  constructor(
    readonly request: WebhookRequest,
    /** The guard's clock when the request arrived, in ms. */
    readonly receivedAtMs: number,
    /** `performance.now()` at arrival, when someone reads the latency; 0 otherwise. */
    readonly startedAt: number,
  ) {}
}
