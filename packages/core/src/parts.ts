import { compileCredentialCheck } from './admit/credential-check.js'
import { compileHandshakes, type SenderHandshake } from './admit/handshake.js'
import { type AddressCache, createAddressCache } from './admit/ip.js'
import { compileTenantSource, type TenantNamer } from './admit/tenant.js'
import { dedupeKey } from './dedupe/dedupe-key.js'
import { memoryStore } from './dedupe/memory-store.js'
import type { DedupeStore } from './dedupe/store.js'
import type { EventSources } from './event/build-event.js'
import { compileEventField } from './event/event-field.js'
import { compileEventTypes, type EventTypeRules } from './event/event-types.js'
import { unsignedEventFields } from './event/unsigned-event-fields.js'
import type { HeaderBag } from './lib/headers.js'
import { createObserver, type Observer } from './observe/observer.js'
import { senderIdHeaders } from './observe/sender-id.js'
import { type GuardOptions, type ResolvedOptions, resolveOptions } from './options.js'
import type { Respond } from './respond/shaped-reply.js'
import type { Logger, WebhookEvent } from './types.js'
import type { Verifier } from './verify/verifier.js'

/** What {@link Guard.counters} counts. */
export interface GuardCounters {
  /** Dedupe store calls (claim, complete, release) that threw. */
  storeErrors: number
  /** Deliveries enqueued without dedupe because the store failed and `storeFailure` is `'open'`. */
  failOpen: number
}

/** Everything a guard's steps need, made once when the guard is created. */
export interface GuardParts {
  config: ResolvedOptions
  /** The client addresses this guard has parsed. */
  addresses: AddressCache
  verifiers: readonly Verifier[]
  /** The log record's `verifier` for each count of verifiers run. */
  verifierLabels: readonly string[]
  /** Refuses a request with none of a verifier's credential headers; `undefined` when none declares any. */
  requireCredentials: ((headers: HeaderBag, exempt?: Verifier) => void) | undefined
  /** Whether some verifier reads the request's origin from a trusted proxy's headers. */
  urlFromProxy: boolean
  /** The senders' handshakes, in the verifiers' order. */
  handshakes: readonly SenderHandshake[]
  eventSources: EventSources
  /** The event types taken and their payload schemas (`events`, `allowTypes`, `ignoreTypes`); `undefined`: all, unchecked. */
  eventTypes: EventTypeRules | undefined
  /** Where a request names its tenant; `undefined` when the guard names none. */
  tenant: TenantNamer | undefined
  store: DedupeStore | undefined
  /** What every dedupe key starts with: empty in the guard's own store, the namespace in a shared one. */
  keyPrefix: string
  enqueue: (event: WebhookEvent) => unknown
  /** Shapes the 2xx once `enqueue` resolved; `undefined` for the normal answer. */
  respond: Respond | undefined
  observer: Observer
  counters: GuardCounters
  logger: Logger | undefined
  now: () => number
  /** Things said once per guard, at `warn`. */
  told: { missingAddress: boolean }
}

/**
 * Resolves the options (defaults, validation) and does every piece of work a
 * guard can do once rather than per request: the IP rules, the store and its
 * key prefix, the event sources, the verifier labels, the credential check,
 * the observer; and warns about event fields no signature covers.
 */
export function resolveGuard(options: GuardOptions): GuardParts {
  const config = resolveOptions(options)
  const { verify: verifiers, logger } = options
  const ownStore = options.dedupe === undefined
  const store = options.dedupe === false ? undefined : (options.dedupe ?? memoryStore({ logger }))
  if (store && !ownStore) takeNamespace(store, config.namespace)
  const urlFromProxy = verifiers.filter((v) => v.urlFromProxy)
  if (urlFromProxy.length > 0 && config.trustProxy === undefined) {
    throw new TypeError(
      `${(urlFromProxy[0] as Verifier).name}: the signature covers the request URL, so publicUrl must be set (e.g. 'https://example.com'), or createGuard's trustProxy must name the proxy that sends X-Forwarded-Proto/Host`,
    )
  }
  for (const unsigned of unsignedEventFields(options)) {
    logger?.warn({ option: unsigned.option, source: unsigned.source }, unsigned.message)
  }
  return {
    config,
    addresses: createAddressCache(),
    verifiers,
    verifierLabels: verifiers.map((_, i) =>
      verifiers
        .slice(0, i + 1)
        .map((v) => v.name)
        .join(','),
    ),
    requireCredentials: compileCredentialCheck(verifiers),
    urlFromProxy: urlFromProxy.length > 0,
    handshakes: compileHandshakes(verifiers),
    eventSources: eventSources(options, config, store !== undefined),
    eventTypes: compileEventTypes(options, config.enqueueTimeoutMs),
    tenant: compileTenantSource(options.tenant, 'createGuard'),
    store,
    // The guard's own store holds only its keys: keyed by the id itself, it builds no string per delivery.
    keyPrefix: ownStore ? '' : dedupeKey(config.namespace, '', ''),
    enqueue: options.enqueue,
    respond: options.respond as Respond | undefined,
    observer: createObserver(logger, options, options.meterProvider, senderIdHeaders(options)),
    counters: { storeErrors: 0, failOpen: 0 },
    logger,
    now: options.now ?? Date.now,
    told: { missingAddress: false },
  }
}

/** Where the event's id and type come from: the user's sources win; a sender's own conventions come next. */
function eventSources(options: GuardOptions, config: ResolvedOptions, idRequired: boolean): EventSources {
  return {
    id: options.eventId ? compileEventField(options.eventId, 'eventId') : undefined,
    type: options.eventType ? compileEventField(options.eventType, 'eventType') : undefined,
    senderIds: options.verify.flatMap((v) => (v.eventId ? [compileEventField(v.eventId, `${v.name}.eventId`)] : [])),
    senderTypes: options.verify.flatMap((v) =>
      v.eventType ? [compileEventField(v.eventType, `${v.name}.eventType`)] : [],
    ),
    keptHeaders: config.keptHeaders,
    parseJson: config.parseJson,
    idRequired,
  }
}

/** The namespaces of the guards on each store passed in, so two guards cannot share one by mistake. */
const namespacesOf = new WeakMap<DedupeStore, Set<string>>()

/**
 * Takes `namespace` on `store` for one guard; a second guard with the same
 * store object and namespace is a `TypeError`. Guards in other processes
 * cannot be seen from here: give each its own namespace.
 */
function takeNamespace(store: DedupeStore, namespace: string): void {
  const taken = namespacesOf.get(store) ?? new Set<string>()
  if (taken.has(namespace)) {
    throw new TypeError(
      `createGuard: namespace '${namespace}' is taken: another guard uses this dedupe store with it; give each guard on a shared store its own namespace`,
    )
  }
  namespacesOf.set(store, taken.add(namespace))
}
