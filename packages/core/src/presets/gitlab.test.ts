import { randomBytes } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { expectTenantKeys } from '../../test-support/tenant-keys.js'
import { createGuard } from '../guard.js'
import type { WebhookEvent } from '../types.js'
import { gitlab } from './gitlab.js'

// GitLab's secret token is free text: it is sent as is in X-Gitlab-Token.
const token = 'my secret token: with spaces & symbols'
const body = JSON.stringify({
  object_kind: 'push',
  ref: 'refs/heads/main',
  checkout_sha: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
})

async function send(headers: Record<string, string>, tokens: string | string[] = token) {
  const events: WebhookEvent[] = []
  const guard = createGuard({ verify: [gitlab({ token: tokens })], enqueue: (event) => void events.push(event) })
  const response = await guard.handle(
    new Request('http://hooks.test/gitlab', {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-gitlab-event': 'Push Hook',
        'x-gitlab-event-uuid': '13792a34-cac6-4fda-95a8-c58e00a3954e',
        'x-gitlab-webhook-uuid': '0c2a4e5b-4d8a-4b8f-a1d0-6c1f0e2b3a4d',
        ...headers,
      },
    }),
  )
  return { status: response.status, code: ((await response.json()) as { code: string }).code, events }
}

describe('gitlab preset (X-Gitlab-Token, as GitLab documents it)', () => {
  test('accepted: id from Idempotency-Key, type from X-Gitlab-Event; the token is not kept', async () => {
    const key = '908a6d9e-45fd-46c8-97e6-c4f350f219dd'
    const { status, events } = await send({ 'x-gitlab-token': token, 'idempotency-key': key })
    expect(status).toBe(202)
    expect(events[0]).toMatchObject({ id: key, type: 'Push Hook', timestamp: null, auth: [{ verifier: 'gitlab' }] })
    expect(events[0]?.headers['x-gitlab-token']).toBeUndefined()
  })

  test('without Idempotency-Key (older GitLab) the id is X-Gitlab-Webhook-UUID, not the shared Event-UUID', async () => {
    const { status, events } = await send({ 'x-gitlab-token': token })
    expect(status).toBe(202)
    expect(events[0]?.id).toBe('0c2a4e5b-4d8a-4b8f-a1d0-6c1f0e2b3a4d')
  })

  test('wrong token, a prefix of it, missing; rotation', async () => {
    expect(await send({ 'x-gitlab-token': 'guess' })).toMatchObject({ status: 401, code: 'invalid_token' })
    expect((await send({ 'x-gitlab-token': token.slice(0, -1) })).code).toBe('invalid_token')
    expect(await send({})).toMatchObject({ status: 401, code: 'missing_credentials' })
    expect((await send({ 'x-gitlab-token': token }, ['the new token', token])).status).toBe(202)
  })

  test('options', () => {
    expect(() => gitlab({ token: '' })).toThrow('gitlab: token[0] must be a non-empty string')
    expect(() => gitlab({ token: [] })).toThrow('gitlab: token must be one value or a non-empty list')
    expect(() => gitlab(undefined as never)).toThrow('gitlab needs an options object')
  })
})

describe('gitlab per tenant', () => {
  test("a key resolver: the tenant's own token accepted, another's refused, an unknown tenant 401, a failing lookup 503", async () => {
    await expectTenantKeys({
      refusal: 'invalid_token',
      newKey: () => {
        const tenantToken = randomBytes(12).toString('hex')
        return { key: tenantToken, signer: tenantToken }
      },
      verifier: (keys) => gitlab({ token: keys }),
      request: (tenantToken, n) => ({ headers: { 'x-gitlab-token': tenantToken, 'idempotency-key': `d-${n}` }, body }),
    })
  })
})
