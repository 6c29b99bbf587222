import { createHmac } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import {
  countingResolver,
  expectTenantKeys,
  type TenantPreset,
  tenantGuard,
  tenantNowSeconds,
  tenantSecrets,
} from '../../test-support/tenant-presets.js'
import { zoom } from './zoom.js'

// Zoom's "Using webhooks": events signed v0:timestamp:body, and the endpoint.url_validation event.
const plainToken = 'qgg8vlvZRS6UYooatFL8Aw'
const validation = `{"payload":{"plainToken":"${plainToken}"},"event_ts":1654503849680,"event":"endpoint.url_validation"}`
const event =
  '{"event":"meeting.started","payload":{"account_id":"D8cJuqWVQ623CI4Q8yQK0Q","object":{"id":"6962400003"}},"event_ts":1626230691572}'

/** A POST to /hooks/zoom/<tenant> signed as Zoom signs it, with `secret`. */
function signed(secret: string, tenant: string, body = event) {
  const signature = createHmac('sha256', secret).update(`v0:${tenantNowSeconds}:${body}`).digest('hex')
  return {
    method: 'POST',
    path: `/hooks/zoom/${tenant}`,
    headers: {
      'content-type': 'application/json',
      'x-zm-request-timestamp': String(tenantNowSeconds),
      'x-zm-signature': `v0=${signature}`,
    },
    body,
    params: { tenant },
  }
}

const preset: TenantPreset = {
  verifier: (resolve) => zoom({ secretToken: resolve }),
  request: (secret, tenant) => signed(secret, tenant),
  refusal: 'invalid_signature',
}

describe('zoom with a key resolver (many tenants on one endpoint)', () => {
  test("the tenant's own token accepted, another's refused, an unknown tenant 401 after one lookup; a failing lookup 503", async () => {
    await expectTenantKeys(preset)
  })

  test("the URL validation is answered with the tenant's secret token, after one lookup for signature and answer", async () => {
    const { lookups, resolve } = countingResolver()
    const { guard, enqueued } = tenantGuard(preset, zoom({ secretToken: resolve }))
    const answer = (secret: string) =>
      JSON.stringify({ plainToken, encryptedToken: createHmac('sha256', secret).update(plainToken).digest('hex') })
    for (const tenant of ['acme', 'globex'] as const) {
      const reply = await guard.process(signed(tenantSecrets[tenant], tenant, validation))
      expect({ status: reply.status, code: reply.code, body: reply.body }).toEqual({
        status: 200,
        code: 'handshake',
        body: answer(tenantSecrets[tenant]),
      })
    }
    // Signed with another tenant's token, or for a tenant the resolver does not know: no answer.
    for (const tenant of ['globex', 'initech']) {
      const reply = await guard.process(signed(tenantSecrets.acme, tenant, validation))
      expect({ status: reply.status, code: reply.code }).toEqual({ status: 401, code: 'invalid_signature' })
      expect(reply.body).not.toContain('encryptedToken')
    }
    expect(lookups).toEqual(['acme', 'globex', 'initech'])
    expect(enqueued).toEqual([])
  })
})
