const printable = /^[\x21-\x7e]{1,256}$/

/** Checks a `namespace` option: 1–256 printable ASCII characters, as event ids are. */
export function checkNamespace(owner: string, namespace: unknown): string {
  if (typeof namespace !== 'string' || !printable.test(namespace)) {
    throw new TypeError(`${owner}: namespace must be 1–256 printable ASCII characters`)
  }
  return namespace
}

/**
 * The BullMQ job id of an event: the key `${namespace.length}:${namespace}:${id}`
 * (no two namespace and id pairs give the same key), percent-encoded, because
 * BullMQ refuses job ids that contain `:` or read as integers. Use it to look an
 * event's job up.
 *
 * @example
 * ```ts
 * bullmqJobId('msg_2Lq') // '9%3Ahookguard%3Amsg_2Lq'
 * const job = await queue.getJob(bullmqJobId(event.id, 'shop'))
 * ```
 */
export function bullmqJobId(eventId: string, namespace = 'hookguard'): string {
  return encodeURIComponent(`${namespace.length}:${namespace}:${eventId}`)
}
