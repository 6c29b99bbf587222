import { afterAll, afterEach, beforeAll, expect } from 'vitest'
import { type Reply, replies } from './http-client.js'

/**
 * Fails the running case when anything was thrown outside a request's own
 * promise chain, or when any reply was one the suite forbids (`isForbidden`).
 */
export function failOnUncaughtOrForbidden(isForbidden: (reply: Reply) => boolean): void {
  const uncaught: unknown[] = []
  const recordUncaught = (error: unknown) => uncaught.push(error)
  beforeAll(() => {
    process.on('uncaughtException', recordUncaught)
    process.on('unhandledRejection', recordUncaught)
  })
  afterEach(() => {
    expect(uncaught.splice(0)).toEqual([])
    expect(replies.splice(0).filter(isForbidden)).toEqual([])
  })
  afterAll(() => {
    process.off('uncaughtException', recordUncaught)
    process.off('unhandledRejection', recordUncaught)
  })
}
