import type { WebhookEvent } from '@hookguard/core'

/** Dot-separated tokens of printable ASCII, none empty, no wildcard (`*`, `>`): a subject one may publish to. */
const publishable = /^[\x21-\x29\x2b-\x2d\x2f-\x3d\x3f-\x7e]+(\.[\x21-\x29\x2b-\x2d\x2f-\x3d\x3f-\x7e]+)*$/

/** Whether `subject` is a NATS subject one may publish to (at most 512 characters). */
export function isPublishSubject(subject: unknown): subject is string {
  return typeof subject === 'string' && subject.length <= 512 && publishable.test(subject)
}

/** The subject of each event, from the `subject` option; a string is checked once, a function's answer each time. */
export function subjectOf(
  owner: string,
  subject: string | ((event: WebhookEvent) => string),
): (event: WebhookEvent) => string {
  if (typeof subject === 'function') {
    return (event) => {
      const value = subject(event)
      if (!isPublishSubject(value)) throw new Error(`${owner}: subject() must return a subject without wildcards`)
      return value
    }
  }
  if (!isPublishSubject(subject)) {
    throw new TypeError(`${owner}: subject must be a NATS subject without wildcards, or a function`)
  }
  return () => subject
}
