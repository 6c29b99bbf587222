import { randomBytes } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { expectTenantKeys, tenantGuard } from '../../test-support/tenant-keys.js'
import { createGuard } from '../guard.js'
import type { WebhookEvent } from '../types.js'
import { microsoftGraph } from './microsoft-graph.js'

// "Receive change notifications through webhooks" (learn.microsoft.com/graph/change-notifications-delivery-webhooks).
const clientState = 'secretClientValue'
const change = (state = clientState, changeType = 'created') => ({
  subscriptionId: '7f105c7d-2dc5-4530-97cd-4e7ae6534c07',
  subscriptionExpirationDateTime: '2016-11-20T18:23:45.9356913Z',
  clientState: state,
  changeType,
  resource: 'Users/{user_guid}/Messages/{long_id_string}',
  tenantId: '84bd8158-6d4d-4958-8b9f-9d6445542f95',
  resourceData: { '@odata.type': '#Microsoft.Graph.Message', id: 'long_id_string' },
})
const lifecycle = {
  subscriptionId: '7f105c7d-2dc5-4530-97cd-4e7ae6534c07',
  clientState,
  lifecycleEvent: 'reauthorizationRequired',
  tenantId: '84bd8158-6d4d-4958-8b9f-9d6445542f95',
}

async function send(path: string, body: string, states: string | string[] = clientState) {
  const events: WebhookEvent[] = []
  const guard = createGuard({
    verify: [microsoftGraph({ clientState: states })],
    enqueue: (e) => void events.push(e),
  })
  const headers = { 'content-type': body === '' ? 'text/plain; charset=utf-8' : 'application/json' }
  const response = await guard.handle(new Request(`http://hooks.test/graph${path}`, { method: 'POST', headers, body }))
  const text = await response.text()
  return {
    status: response.status,
    response,
    text,
    code: text.startsWith('{') ? JSON.parse(text).code : undefined,
    events,
  }
}

describe('microsoftGraph preset', () => {
  test('the validation token is answered form-decoded, text/plain with nosniff, nothing enqueued', async () => {
    const token = 'Validation: Testing client application reachability for subscription Request-Id: 0b7c1a3e-9f1d-4c1b'
    const result = await send(`?validationToken=${encodeURIComponent(token).replaceAll('%20', '+')}`, '')
    expect({ status: result.status, text: result.text }).toEqual({ status: 200, text: token })
    expect(result.response.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(result.response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(result.events).toEqual([])
  })

  test('a token that is markup, oversized or repeated is 400 and not reflected', async () => {
    for (const query of [
      '?validationToken=%3Cscript%3E',
      `?validationToken=${'a'.repeat(1025)}`,
      '?validationToken=a&validationToken=b',
    ]) {
      const result = await send(query, '')
      expect({ status: result.status, code: result.code }).toEqual({ status: 400, code: 'invalid_challenge' })
      expect(result.text).not.toContain('script')
    }
  })

  test('notifications whose every clientState matches are enqueued with the body digest and the changeType', async () => {
    const body = JSON.stringify({ value: [change(), change()] })
    const result = await send('', body)
    expect(result.status).toBe(202)
    expect(result.events[0]?.type).toBe('created')
    expect(result.events[0]?.id).toMatch(/^body-sha256:/)
    const mixed = await send('', JSON.stringify({ value: [change(), change(clientState, 'deleted')] }))
    expect(mixed.events[0]?.type).toBeNull()
    const life = await send('', JSON.stringify({ value: [lifecycle] }))
    expect(life.events[0]?.type).toBe('reauthorizationRequired')
  })

  test('one item with another or no clientState is 401 invalid_client_state; rotation takes either', async () => {
    const other = await send('', JSON.stringify({ value: [change(), change('guessed')] }))
    expect({ status: other.status, code: other.code, events: other.events }).toEqual({
      status: 401,
      code: 'invalid_client_state',
      events: [],
    })
    const { clientState: _, ...stateless } = change()
    expect((await send('', JSON.stringify({ value: [stateless] }))).code).toBe('invalid_client_state')
    expect((await send('', JSON.stringify({ value: [change('old')] }), ['old', clientState])).status).toBe(202)
    expect((await send('', JSON.stringify({ value: [] }))).code).toBe('invalid_body')
    expect((await send('', 'not json')).code).toBe('invalid_json')
  })

  test('options are checked at creation', () => {
    expect(() => microsoftGraph({ clientState: '' })).toThrow('microsoftGraph: clientState[0] must be')
    expect(() => microsoftGraph({ clientState: 'a'.repeat(256) })).toThrow('at most 255 characters')
  })
})

describe('microsoftGraph per tenant', () => {
  test("a key resolver: the tenant's own clientState accepted, another's refused, an unknown tenant 401, a failing lookup 503", async () => {
    await expectTenantKeys({
      refusal: 'invalid_client_state',
      newKey: () => {
        const state = randomBytes(12).toString('base64url')
        return { key: state, signer: state }
      },
      verifier: (keys) => microsoftGraph({ clientState: keys }),
      request: (state, n) => ({
        body: JSON.stringify({ value: [{ ...change(state), subscriptionId: `s-${n}` }] }),
        headers: {},
      }),
    })
  })

  test("a batch with one item of another tenant's clientState is refused; the validation request makes no lookup", async () => {
    const states: Record<string, string> = { acme: 'acme state', globex: 'globex state' }
    const lookups: (string | undefined)[] = []
    const { send } = tenantGuard(
      microsoftGraph({
        clientState: ({ tenant }) => {
          lookups.push(tenant)
          return states[tenant as string] ?? null
        },
      }),
    )
    const mixed = JSON.stringify({ value: [change('acme state'), change('globex state')] })
    expect((await send('acme', { headers: {}, body: mixed })).code).toBe('invalid_client_state')
    const validation = await send('globex', { headers: {}, body: '', query: 'validationToken=abc' })
    expect({ status: validation.status, body: validation.body }).toEqual({ status: 200, body: 'abc' })
    expect(lookups).toEqual(['acme'])
  })
})
