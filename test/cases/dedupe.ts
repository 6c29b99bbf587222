import { github, memoryStore, shopify } from '@hookguard/core'
import { expect } from 'vitest'
import { githubSignature, shopifySignature } from '../../packages/core/test-support/sign.js'
import { send } from '../http-client.js'
import { type ConformanceCase, deliver, expectVerdict } from './support.js'

const raceCodes: Record<number, string> = { 202: 'accepted', 200: 'duplicate', 409: 'in_flight' }

/** The secret of the GitHub and Shopify cases. */
const senderSecret = 'hookguard conformance sender secret'

/** Senders that sign the body only, with the unsigned id header a captured delivery can be re-sent under. */
const bodyOnlySenders = [
  {
    name: 'GitHub',
    verify: () => github({ secret: senderSecret }),
    headers: (id: string, content: string) => ({
      'x-github-delivery': id,
      'x-github-event': 'issues',
      'x-hub-signature-256': githubSignature(senderSecret, content),
    }),
  },
  {
    name: 'Shopify',
    verify: () => shopify({ secret: senderSecret }),
    headers: (id: string, content: string) => ({
      'x-shopify-event-id': id,
      'x-shopify-topic': 'orders/create',
      'x-shopify-hmac-sha256': shopifySignature(senderSecret, content),
    }),
  },
] as const

/** Step 7: the dedupe claim on the event id (namespaced; a signed id never replaced by an unsigned one). */
export const dedupeCases: readonly ConformanceCase[] = [
  {
    name: 'answers 200 duplicate to a redelivery after success, without enqueuing again',
    async run(start) {
      const server = await start()
      expectVerdict(await deliver(server, { id: 'msg_dup' }), 202, 'accepted')
      expectVerdict(await deliver(server, { id: 'msg_dup' }), 200, 'duplicate')
      expectVerdict(await deliver(server, { id: 'msg_dup', prefix: 'svix' }), 200, 'duplicate')
      expect(server.enqueued).toHaveLength(1)
    },
  },
  {
    name: 'enqueues exactly once for 20 concurrent copies of one id',
    async run(start) {
      const server = await start({ enqueue: () => new Promise((resolve) => setTimeout(resolve, 100)) })
      const replies = await Promise.all(Array.from({ length: 20 }, () => deliver(server, { id: 'msg_race' })))
      const statuses = replies.map((r) => r.status)
      expect(statuses.filter((s) => s === 202)).toHaveLength(1)
      // Which copy wins, and whether the others find it in flight or done, is the race's: any mix, one 202.
      for (const reply of replies) {
        expect([202, 200, 409]).toContain(reply.status)
        expectVerdict(reply, reply.status, raceCodes[reply.status]!)
      }
      expect(server.enqueued).toHaveLength(1)
    },
  },
  ...bodyOnlySenders.map(
    (sender): ConformanceCase => ({
      name: `${sender.name}: a captured delivery re-sent under a fresh id is a duplicate; another delivery is accepted`,
      async run(start) {
        const server = await start({ verify: [sender.verify()] })
        const post = (id: string, content: string) =>
          send(server.url, {
            headers: { 'content-type': 'application/json', ...sender.headers(id, content) },
            body: content,
          })
        const original = JSON.stringify({ action: 'opened', number: 7 })
        expectVerdict(await post('d-original', original), 202, 'accepted')
        for (const fresh of ['d-replay-1', 'd-replay-2']) {
          expectVerdict(await post(fresh, original), 200, 'duplicate')
        }
        expectVerdict(await post('d-other', JSON.stringify({ action: 'opened', number: 8 })), 202, 'accepted')
        // The replays freed the ids they claimed: a real delivery under one of them is still taken.
        expectVerdict(await post('d-replay-1', JSON.stringify({ action: 'closed', number: 7 })), 202, 'accepted')
        expect(server.enqueued.map((e) => e.id)).toEqual(['d-original', 'd-other', 'd-replay-1'])
      },
    }),
  ),
  {
    name: 'a signed id is never replaced by an unsigned one: one delivery sent to five paths is enqueued once',
    async run(start) {
      const server = await start({ eventId: { param: 'status' } })
      const replies = []
      for (const path of ['/a', '/b', '/c', '/d', '/e'])
        replies.push(await deliver(server, { id: 'msg_paths' }, { path }))
      expectVerdict(replies[0]!, 202, 'accepted')
      for (const reply of replies.slice(1)) expectVerdict(reply, 200, 'duplicate')
      // The path's id may stay the event's id, and is claimed too: another signed delivery to /a is a duplicate.
      expect(server.enqueued.map((e) => e.id)).toEqual(['a'])
      expectVerdict(await deliver(server, { id: 'msg_other' }, { path: '/a' }), 200, 'duplicate')
      expectVerdict(await deliver(server, { id: 'msg_other' }, { path: '/f' }), 202, 'accepted')
      expect(server.enqueued.map((e) => e.id)).toEqual(['a', 'f'])
    },
  },
  {
    name: 'guards sharing a store never meet: namespace shop with id eu:evt_9, namespace shop:eu with id evt_9',
    async run(start) {
      const store = memoryStore()
      const tenantA = await start({ dedupe: store, namespace: 'shop' })
      const tenantB = await start({ dedupe: store, namespace: 'shop:eu' })
      expectVerdict(await deliver(tenantA, { id: 'eu:evt_9' }), 202, 'accepted')
      expectVerdict(await deliver(tenantB, { id: 'evt_9' }), 202, 'accepted')
      expectVerdict(await deliver(tenantB, { id: 'evt_9' }), 200, 'duplicate')
      expect(tenantA.enqueued.map((e) => e.id)).toEqual(['eu:evt_9'])
      expect(tenantB.enqueued.map((e) => e.id)).toEqual(['evt_9'])
    },
  },
]
