const printable = /^[\x21-\x7e]{1,256}$/

/** Checks a `namespace` option: 1–256 printable ASCII characters, as event ids are. */
export function checkNamespace(owner: string, namespace: unknown): string {
  if (typeof namespace !== 'string' || !printable.test(namespace)) {
    throw new TypeError(`${owner}: namespace must be 1–256 printable ASCII characters`)
  }
  return namespace
}

/**
 * The AMQP `messageId` of an event: `${namespace.length}:${namespace}:${id}`,
 * so no two namespace and id pairs give the same id.
 *
 * @example
 * ```ts
 * amqpMessageId('msg_2Lq') // '9:hookguard:msg_2Lq'
 * ```
 */
export function amqpMessageId(eventId: string, namespace = 'hookguard'): string {
  return `${namespace.length}:${namespace}:${eventId}`
}
