import { sign, verify } from '@octokit/webhooks-methods'
import { describe, expect, test } from 'vitest'
import { createGuard } from '../guard.js'
import type { WebhookEvent } from '../types.js'
import { github } from './github.js'

const secret = "It's a Secret to Everybody"
const body = JSON.stringify({ action: 'opened', number: 7, repository: { full_name: 'o/r' } })

async function send(headers: Record<string, string>, options: { payload?: string; secret?: string | string[] } = {}) {
  const events: WebhookEvent[] = []
  const guard = createGuard({
    verify: [github({ secret: options.secret ?? secret })],
    enqueue: (event) => void events.push(event),
  })
  const response = await guard.handle(
    new Request('http://hooks.test/github', {
      method: 'POST',
      body: options.payload ?? body,
      headers: {
        'content-type': 'application/json',
        'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
        'x-github-event': 'pull_request',
        'x-github-hook-id': '292430182',
        ...headers,
      },
    }),
  )
  return { status: response.status, code: ((await response.json()) as { code: string }).code, events }
}

describe('github preset, against @octokit/webhooks-methods', () => {
  test('accepts what sign() produces, with delivery id and event type', async () => {
    const signature = await sign(secret, body)
    expect(await verify(secret, body, signature)).toBe(true)
    const { status, events } = await send({ 'x-hub-signature-256': signature })
    expect(status).toBe(202)
    expect(events[0]).toMatchObject({
      id: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      type: 'pull_request',
      timestamp: null,
    })
    expect(events[0]?.headers).toMatchObject({ 'x-github-event': 'pull_request', 'x-github-hook-id': '292430182' })
    expect(events[0]?.headers['x-hub-signature-256']).toBeUndefined()
  })

  test("GitHub's documented example signature", async () => {
    // From GitHub's "Validating webhook deliveries": secret "It's a Secret to Everybody", payload "Hello, World!".
    const expected = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17'
    expect(await sign(secret, 'Hello, World!')).toBe(expected)
    const guard = createGuard({ verify: [github({ secret })], dedupe: false, enqueue: () => {} })
    const response = await guard.handle(
      new Request('http://hooks.test/github', {
        method: 'POST',
        body: 'Hello, World!',
        headers: { 'x-hub-signature-256': expected },
      }),
    )
    expect(response.status).toBe(202)
  })

  test('tampered body, wrong secret, sha1 header only, missing header', async () => {
    const signature = await sign(secret, body)
    expect(await send({ 'x-hub-signature-256': signature }, { payload: body.replace('7', '8') })).toMatchObject({
      status: 401,
      code: 'invalid_signature',
    })
    expect((await send({ 'x-hub-signature-256': await sign('wrong secret', body) })).code).toBe('invalid_signature')
    expect((await send({ 'x-hub-signature': `sha1=${'0'.repeat(40)}` })).code).toBe('missing_signature')
    expect((await send({ 'x-hub-signature-256': signature.slice(7) })).code).toBe('invalid_signature')
  })

  test('secret rotation', async () => {
    const signature = await sign('the previous secret', body)
    expect((await send({ 'x-hub-signature-256': signature }, { secret: [secret, 'the previous secret'] })).status).toBe(
      202,
    )
  })
})
