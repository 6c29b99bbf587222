// Run with the Node test runner, not vitest: it shows @hookguard/testing needs no test framework.
//   node --conditions=source --import tsx --test packages/testing/test-support/node-test-example.ts
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createGuard, svix } from '@hookguard/core'
import { generateSecret, signRequest } from '@hookguard/testing'

test('a svix-signed request passes the guard under node:test', async () => {
  const { secret } = generateSecret('svix')
  const enqueued: string[] = []
  const guard = createGuard({ verify: [svix({ secret })], enqueue: (event) => void enqueued.push(event.id ?? '') })
  const signed = await signRequest('svix', { secret, body: { type: 'scan.completed' }, id: 'msg_node_test' })
  const response = await guard.handle(new Request('http://localhost/hooks', signed))
  assert.equal(response.status, 202)
  assert.deepEqual(enqueued, ['msg_node_test'])
})

test('a request signed with another secret is refused', async () => {
  const guard = createGuard({ verify: [svix({ secret: generateSecret('svix').secret })], enqueue: () => {} })
  const signed = await signRequest('svix', { secret: generateSecret('svix').secret, body: '{}' })
  const response = await guard.handle(new Request('http://localhost/hooks', signed))
  assert.equal(response.status, 401)
})
