import { describe, expect, test, vi } from 'vitest'
import { githubSignature } from '../../test-support/sign.js'
import { createGuard } from '../guard.js'
import type { GuardOptions } from '../options.js'
import { github } from '../presets/github.js'
import type { WebhookEvent, WebhookRequest } from '../types.js'
import { dedupeKey } from './dedupe-key.js'
import { memoryStore } from './memory-store.js'
import type { DedupeStore } from './store.js'

const secret = 'handoff test secret'
const body = JSON.stringify({ action: 'opened', number: 7 })

/** A GitHub delivery: the id is `X-GitHub-Delivery`, which GitHub does not sign. */
function delivery(id: string, payload = body): WebhookRequest {
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-delivery': id,
      'x-hub-signature-256': githubSignature(secret, payload),
    },
    body: payload,
  }
}

/** A store that records every call, on a memory store; `fail` decides which calls throw. */
function spyingStore(fail: (operation: string, key: string) => boolean = () => false) {
  const inner = memoryStore()
  const calls: string[] = []
  const store: DedupeStore = {
    claim(key, leaseMs) {
      calls.push(`claim ${key}`)
      if (fail('claim', key)) throw new Error('ECONNRESET')
      return inner.claim(key, leaseMs)
    },
    complete(key, token, ttlMs) {
      calls.push(`complete ${key}`)
      return inner.complete(key, token, ttlMs)
    },
    release(key, token) {
      calls.push(`release ${key}`)
      return inner.release(key, token)
    },
  }
  return { store, calls }
}

function setup(options: Partial<GuardOptions> = {}) {
  const enqueued: WebhookEvent[] = []
  const guard = createGuard({ verify: [github({ secret })], enqueue: (event) => void enqueued.push(event), ...options })
  return { guard, enqueued }
}

const replayKey = (store: string) => expect.stringMatching(new RegExp(`^${store} .*replay 6:github:[0-9a-f]{64}$`))

describe('the handoff: every key of a delivery', () => {
  test('a replay under a fresh id is a duplicate; the id key it claimed first is freed again', async () => {
    const { store, calls } = spyingStore()
    const { guard, enqueued } = setup({ dedupe: store, namespace: 'gh' })
    expect((await guard.process(delivery('d-1'))).status).toBe(202)
    expect(calls).toEqual([
      `claim ${dedupeKey('gh', '', 'd-1')}`,
      replayKey('claim'),
      `complete ${dedupeKey('gh', '', 'd-1')}`,
      replayKey('complete'),
    ])
    calls.length = 0
    const replay = await guard.process(delivery('d-2'))
    expect([replay.status, replay.code]).toEqual([200, 'duplicate'])
    expect(calls).toEqual([
      `claim ${dedupeKey('gh', '', 'd-2')}`,
      replayKey('claim'),
      `release ${dedupeKey('gh', '', 'd-2')}`,
    ])
    // Freed: a real delivery d-2 with its own body is still taken.
    expect((await guard.process(delivery('d-2', '{"action":"closed"}'))).status).toBe(202)
    expect(enqueued.map((event) => event.id)).toEqual(['d-1', 'd-2'])
  })

  test('a replay while the original is in flight: 409, and its own id freed', async () => {
    let finish: () => void = () => {}
    const gate = new Promise<void>((resolve) => {
      finish = resolve
    })
    const enqueue = vi.fn(() => gate)
    const { guard } = setup({ enqueue })
    const first = guard.process(delivery('d-1'))
    await vi.waitFor(() => expect(enqueue).toHaveBeenCalledTimes(1))
    const replay = await guard.process(delivery('d-2'))
    expect([replay.status, replay.code]).toEqual([409, 'in_flight'])
    finish()
    expect((await first).status).toBe(202)
    // d-2 was freed: a delivery d-2 of other content is taken.
    expect((await guard.process(delivery('d-2', '{"action":"closed"}'))).status).toBe(202)
    expect(enqueue).toHaveBeenCalledTimes(2)
  })

  test('the store failing on the second key: closed frees the first and answers 503', async () => {
    let broken = true
    const { store, calls } = spyingStore((operation, key) => broken && operation === 'claim' && key.includes(' '))
    const { guard, enqueued } = setup({ dedupe: store })
    const verdict = await guard.process(delivery('d-1'))
    expect([verdict.status, verdict.code]).toEqual([503, 'store_unavailable'])
    expect(calls).toEqual([
      `claim ${dedupeKey('hookguard', '', 'd-1')}`,
      replayKey('claim'),
      `release ${dedupeKey('hookguard', '', 'd-1')}`,
    ])
    broken = false
    expect((await guard.process(delivery('d-1'))).status).toBe(202)
    expect(enqueued).toHaveLength(1)
  })

  test('the store failing on the second key: open enqueues and marks done what it holds', async () => {
    const { store, calls } = spyingStore((operation, key) => operation === 'claim' && key.includes(' '))
    const { guard, enqueued } = setup({ dedupe: store, storeFailure: 'open' })
    expect((await guard.process(delivery('d-1'))).status).toBe(202)
    expect(calls).toEqual([
      `claim ${dedupeKey('hookguard', '', 'd-1')}`,
      replayKey('claim'),
      `complete ${dedupeKey('hookguard', '', 'd-1')}`,
    ])
    expect((await guard.process(delivery('d-1'))).code).toBe('duplicate')
    expect(enqueued).toHaveLength(1)
  })

  test('enqueue failing frees every key: the same delivery is taken again', async () => {
    const { store, calls } = spyingStore()
    let down = true
    const { guard, enqueued } = setup({
      dedupe: store,
      enqueue: (event) => {
        if (down) throw new Error('queue down')
        enqueued.push(event)
      },
    })
    expect((await guard.process(delivery('d-1'))).code).toBe('enqueue_failed')
    expect(calls.slice(2)).toEqual([`release ${dedupeKey('hookguard', '', 'd-1')}`, replayKey('release')])
    down = false
    expect((await guard.process(delivery('d-1'))).status).toBe(202)
    expect(enqueued).toHaveLength(1)
  })
})

describe('the dedupe store a guard is given', () => {
  test('two guards with one store and one namespace are refused at creation', () => {
    const store = memoryStore()
    setup({ dedupe: store })
    expect(() => setup({ dedupe: store })).toThrow(TypeError)
    expect(() => setup({ dedupe: store })).toThrow(/namespace 'hookguard' is taken/)
    setup({ dedupe: store, namespace: 'other' })
    expect(() => setup({ dedupe: store, namespace: 'other' })).toThrow(/namespace 'other'/)
    // Another store, or the guard's own default store, is free.
    setup({ dedupe: memoryStore() })
    setup()
    setup()
  })

  test('a namespace that is not a string is refused', () => {
    expect(() => setup({ dedupe: memoryStore(), namespace: 7 as unknown as string })).toThrow(
      /namespace must be a non-empty string/,
    )
  })

  test('guards on one store with namespaces that differ by a `:` do not meet', async () => {
    const store = memoryStore()
    const tenantA = setup({ dedupe: store, namespace: 'shop' })
    const tenantB = setup({ dedupe: store, namespace: 'shop:eu' })
    expect((await tenantA.guard.process(delivery('eu:evt_9', '{"tenant":"a"}'))).status).toBe(202)
    expect((await tenantB.guard.process(delivery('evt_9', '{"tenant":"b"}'))).status).toBe(202)
    expect(tenantB.enqueued.map((event) => event.id)).toEqual(['evt_9'])
  })
})
