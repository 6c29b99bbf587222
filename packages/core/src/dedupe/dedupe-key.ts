/**
 * The key of an event id in a dedupe store that guards may share: the
 * namespace and the tenant, each written after its length, then the id. The
 * lengths say where each part ends, so no two (namespace, tenant, id) triples
 * give the same key, whatever `:` they hold: `shop` with the id `eu:evt_9` is
 * `4:shop:0::eu:evt_9`, `shop:eu` with `evt_9` is `7:shop:eu:0::evt_9`. The
 * tenant is the one the request named (the guard's `tenant` option, on
 * `event.tenant`), empty when the guard names none: an empty tenant keeps its
 * place, so keys without a tenant stay apart from those with one, and the
 * same event id under two tenants is two keys.
 *
 * For store authors: a guard given a store (`dedupe`) claims
 * `dedupeKey(namespace, event.tenant ?? '', event.id)` for the event's id, and
 * may claim other keys for the same delivery (the id a verifier vouched for,
 * when the event's id is another; a replay key from the signature), each of
 * which starts with `dedupeKey(namespace, event.tenant ?? '', '')` too. A store that keeps the event
 * itself as its dedupe record (an inbox) finds the event's key with this.
 * (The guard's own default memory store holds the ids as they are, when the
 * guard names no tenant.)
 *
 * @example
 * ```ts
 * import { dedupeKey, type WebhookEvent } from '@hookguard/core'
 *
 * dedupeKey('billing', '', 'msg_1') // '7:billing:0::msg_1'
 * // In an inbox's enqueue: the row's key is the one the guard claims for the event's id.
 * const rowKey = (event: WebhookEvent) => dedupeKey('billing', '', event.id as string)
 * ```
 */
export function dedupeKey(namespace: string, tenant: string, id: string): string {
  return `${namespace.length}:${namespace}:${tenant.length}:${tenant}:${id}`
}

/**
 * What a verifier's replay key is claimed as, in place of an event id: it
 * holds a space, which no event id does (1–256 printable ASCII, no spaces), so
 * it never meets one, even in the guard's own store where ids are keys as they
 * are; the verifier's name, after its length, keeps two verifiers' keys apart.
 *
 * @example
 * ```ts
 * replayId('github', 'f3a9…') // 'replay 6:github:f3a9…'
 * ```
 */
export function replayId(verifier: string, key: string): string {
  return `replay ${verifier.length}:${verifier}:${key}`
}
