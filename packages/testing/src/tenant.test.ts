import {
  createGuard,
  hubspot,
  jwt,
  type KeyContext,
  mailgun,
  okta,
  square,
  standardWebhooks,
  twilio,
  twitch,
  type Verifier,
  type WebhookRequest,
  x,
  zoom,
} from '@hookguard/core'
import { describe, expect, test } from 'vitest'
import type { CliIo } from './cli/io.js'
import { main } from './cli/main.js'
import { generateSecret } from './generate-secret.js'
import type { PresetName } from './presets.js'
import { signRequest } from './sign-request.js'
import type { SignedRequest } from './types.js'

const acme = generateSecret('standard-webhooks').secret
const globex = generateSecret('standard-webhooks').secret
const secrets: Record<string, string> = { acme, globex }
const body = { type: 'ping' }

/** The neutral request of a signed one, with the last path segment as the `tenant` parameter (as `/hooks/:tenant`). */
function asRequest(signed: SignedRequest): WebhookRequest {
  const path = new URL(signed.url ?? '/hooks', 'http://127.0.0.1').pathname
  const tenant = path.split('/')[2]
  return { method: 'POST', headers: signed.headers, body: signed.body, ...(tenant ? { params: { tenant } } : {}) }
}

describe('signing for a tenant', () => {
  test('in the path (default): the guard reading /hooks/:tenant accepts it as that tenant', async () => {
    const guard = createGuard({
      verify: [standardWebhooks({ secret: ({ tenant }) => secrets[tenant as string] ?? null })],
      enqueue: () => {},
      tenant: { param: 'tenant' },
    })
    const signed = await signRequest('standard-webhooks', {
      secret: acme,
      body,
      tenant: 'acme',
      url: 'http://127.0.0.1:3000/hooks/',
    })
    expect(signed.url).toBe('http://127.0.0.1:3000/hooks/acme')
    const verdict = await guard.process(asRequest(signed))
    expect(verdict.code).toBe('accepted')
    expect(verdict.event?.tenant).toBe('acme')
    const wrong = await signRequest('standard-webhooks', { secret: acme, body, tenant: 'globex', url: '/hooks' })
    expect((await guard.process(asRequest(wrong))).code).toBe('invalid_signature')
  })

  test('in a header, or a JWT claim', async () => {
    const byHeader = createGuard({
      verify: [standardWebhooks({ secret: ({ tenant }) => secrets[tenant as string] ?? null })],
      enqueue: () => {},
      tenant: { header: 'x-tenant' },
    })
    const signed = await signRequest('standard-webhooks', {
      secret: globex,
      body,
      tenant: 'globex',
      tenantIn: { header: 'X-Tenant' },
    })
    expect(signed.headers['x-tenant']).toBe('globex')
    expect((await byHeader.process(asRequest(signed))).event?.tenant).toBe('globex')

    const byClaim = createGuard({
      verify: [jwt({ secret: 'platform secret', algorithms: ['HS256'], issuer: 'p', audience: 'hooks' })],
      enqueue: () => {},
      tenant: { claim: 'tenant_id' },
      dedupe: false,
    })
    const token = await signRequest('jwt', {
      secret: 'platform secret',
      issuer: 'p',
      audience: 'hooks',
      body,
      tenant: 'acme',
      tenantIn: { claim: 'tenant_id' },
    })
    expect((await byClaim.process(asRequest(token))).event?.tenant).toBe('acme')
  })

  test('a tenant that is not an identifier, or a claim for a preset without one, is a TypeError', async () => {
    await expect(signRequest('svix', { secret: acme, body, tenant: 'a/b', url: '/hooks' })).rejects.toThrow(
      "svix: tenant must be 1-128 letters, digits, '.', '_' or '-'",
    )
    await expect(signRequest('svix', { secret: acme, body, tenant: 'acme' })).rejects.toThrow(
      'svix: a tenant in the path needs url',
    )
    await expect(
      signRequest('svix', { secret: acme, body, tenant: 'acme', tenantIn: { claim: 'tenant' } }),
    ).rejects.toThrow('svix: a tenant claim needs a JWT preset')
  })

  test('the CLI: sign --tenant puts it in the curl line URL, or the header', async () => {
    let out = ''
    const io: CliIo = {
      out: (text) => {
        out += text
      },
      err: () => {},
      isTTY: false,
      readStdin: async () => new Uint8Array(),
      env: {},
    }
    const args = ['sign', '--preset', 'standard-webhooks', '--secret', acme]
    expect(await main([...args, '--tenant', 'acme'], io)).toBe(0)
    expect(out).toContain('curl -sS -X POST http://127.0.0.1:3000/hooks/acme ')
    out = ''
    expect(await main([...args, '--tenant', 'acme', '--tenant-header', 'x-tenant'], io)).toBe(0)
    expect(out).toContain('x-tenant: acme\n')
    expect(out).toContain('curl -sS -X POST http://127.0.0.1:3000/hooks ')
  })
})

describe('signing for a tenant of the presets that take a resolver', () => {
  // The app behind https://example.com; Twilio, HubSpot and Square sign that URL (Square: the tenant's notification URL).
  const local = 'http://127.0.0.1:3000/hooks/in?site=1'
  const signedUrl = 'https://example.com/hooks/in?site=1'
  const publicUrl = 'https://example.com'
  const presets: { preset: PresetName; verifier: (resolve: (ctx: KeyContext) => string | null) => Verifier }[] = [
    { preset: 'twilio', verifier: (resolve) => twilio({ authToken: resolve, publicUrl }) },
    { preset: 'hubspot', verifier: (resolve) => hubspot({ clientSecret: resolve, publicUrl }) },
    {
      preset: 'square',
      verifier: (resolve) =>
        square({ signatureKey: resolve, notificationUrl: 'https://example.com/hooks/in/{tenant}?site=1' }),
    },
    { preset: 'mailgun', verifier: (resolve) => mailgun({ signingKey: resolve }) },
    { preset: 'twitch', verifier: (resolve) => twitch({ secret: resolve }) },
    { preset: 'x', verifier: (resolve) => x({ consumerSecret: resolve }) },
    { preset: 'zoom', verifier: (resolve) => zoom({ secretToken: resolve }) },
    { preset: 'okta', verifier: (resolve) => okta({ secret: resolve }) },
  ]

  /** The neutral request, its path, query and the path's last segment as the `tenant` parameter. */
  const asTenantRequest = (signed: SignedRequest): WebhookRequest => {
    const url = new URL(signed.url ?? local)
    const tenant = url.pathname.split('/').at(-1) as string
    return {
      method: 'POST',
      path: url.pathname,
      query: url.search.slice(1),
      headers: signed.headers,
      body: signed.body,
      params: { tenant },
    }
  }

  test.each(presets)('$preset: the guard with a resolver accepts it as that tenant, not as another', async (c) => {
    const keys: Record<string, string> = {
      acme: generateSecret(c.preset).secret,
      globex: generateSecret(c.preset).secret,
    }
    const guard = createGuard({
      verify: [c.verifier(({ tenant }) => keys[tenant as string] ?? null)],
      enqueue: () => {},
      tenant: { param: 'tenant' },
      dedupe: false,
    })
    const sign = (tenant: string) =>
      signRequest(c.preset, { secret: keys.acme as string, body: { id: 'ev-1' }, tenant, url: local, signedUrl })
    const signed = await sign('acme')
    expect(new URL(signed.url as string).pathname).toBe('/hooks/in/acme')
    const verdict = await guard.process(asTenantRequest(signed))
    expect(verdict.code).toBe('accepted')
    expect(verdict.event?.tenant).toBe('acme')
    expect((await guard.process(asTenantRequest(await sign('globex')))).status).toBe(401)
  })

  test('the CLI: sign --tenant with --signed-url puts the tenant in both URLs', async () => {
    let out = ''
    const io: CliIo = {
      out: (text) => {
        out += text
      },
      err: () => {},
      isTTY: false,
      readStdin: async () => new Uint8Array(),
      env: {},
    }
    const secret = generateSecret('twilio').secret
    const args = ['sign', '--preset', 'twilio', '--secret', secret, '--body', '{"MessageSid":"SM1"}', '--json']
    expect(await main([...args, '--url', local, '--signed-url', signedUrl, '--tenant', 'acme'], io)).toBe(0)
    const signed = JSON.parse(out) as SignedRequest
    expect(signed.url).toBe('http://127.0.0.1:3000/hooks/in/acme?site=1')
    const guard = createGuard({
      verify: [twilio({ authToken: ({ tenant }) => (tenant === 'acme' ? secret : null), publicUrl })],
      enqueue: () => {},
      tenant: { param: 'tenant' },
    })
    expect((await guard.process(asTenantRequest(signed))).code).toBe('accepted')
  })
})
