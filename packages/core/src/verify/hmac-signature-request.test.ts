import { createHash, createHmac } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { createGuard } from '../guard.js'
import type { GuardOptions } from '../options.js'
import { hmacSignature } from './hmac-signature.js'
import type { Verifier } from './verifier.js'

const secret = 'acme-secret'
const sign = (content: string, algorithm = 'sha256') => createHmac(algorithm, secret).update(content).digest('base64')

async function send(
  verifier: Verifier,
  init: { url?: string; method?: string; body?: string; headers?: Record<string, string>; remoteAddress?: string },
  guardOptions: Partial<GuardOptions> = {},
) {
  const guard = createGuard({ verify: [verifier], dedupe: false, enqueue: () => {}, ...guardOptions })
  const method = init.method ?? 'POST'
  const response = await guard.handle(
    new Request(init.url ?? 'http://internal:8080/hooks/acme?b=2&a=1', {
      method,
      body: method === 'GET' ? undefined : (init.body ?? 'x=1'),
      headers: init.headers,
    }),
    { remoteAddress: init.remoteAddress ?? '10.0.0.5' },
  )
  return { status: response.status, code: ((await response.json()) as { code: string }).code }
}

const acme = (options: Partial<Parameters<typeof hmacSignature>[0]>) =>
  hmacSignature({ name: 'acme', secret, header: 'x-sig', algorithm: 'sha256', encoding: 'base64', ...options })

describe('hmacSignature signs the request: {url}, {method}, {path}, {query}, {form}', () => {
  test('{url} from publicUrl: the public base joined with the path and raw query, not the Host', async () => {
    const verifier = acme({ signedContent: '{url}{body}', publicUrl: 'https://example.com/' })
    const signed = sign('https://example.com/hooks/acme?b=2&a=1x=1')
    expect((await send(verifier, { headers: { 'x-sig': signed } })).status).toBe(202)
    // Signed for another endpoint, or another query: refused.
    const other = sign('https://example.com/hooks/other?b=2&a=1x=1')
    expect((await send(verifier, { headers: { 'x-sig': other } })).code).toBe('invalid_signature')
    const reordered = sign('https://example.com/hooks/acme?a=1&b=2x=1')
    expect((await send(verifier, { headers: { 'x-sig': reordered } })).code).toBe('invalid_signature')
  })

  test('{url} from a trusted proxy: Forwarded first, else X-Forwarded-Proto/Host; an untrusted socket gets no origin', async () => {
    const verifier = acme({ signedContent: '{url}{body}' })
    const signed = sign('https://public.example/hooks/acme?b=2&a=1x=1')
    const trusted = { trustProxy: ['10.0.0.0/8'] }
    const xf = { 'x-sig': signed, 'x-forwarded-proto': 'https', 'x-forwarded-host': 'public.example' }
    expect((await send(verifier, { headers: xf }, trusted)).status).toBe(202)
    const fwd = { 'x-sig': signed, forwarded: 'for=203.0.113.9;proto=https;host="public.example", for=10.0.0.2' }
    expect((await send(verifier, { headers: fwd }, trusted)).status).toBe(202)
    // The same headers from a socket that is not a trusted proxy are not read.
    expect((await send(verifier, { headers: xf, remoteAddress: '198.51.100.7' }, trusted)).code).toBe(
      'invalid_signature',
    )
    // A forwarded host with a path in it is not a host.
    const bad = { ...xf, 'x-forwarded-host': 'public.example/evil' }
    expect((await send(verifier, { headers: bad }, trusted)).code).toBe('invalid_signature')
  })

  test('{url} without publicUrl and without trustProxy is refused at creation', () => {
    const verifier = acme({ signedContent: '{url}{body}' })
    expect(() => createGuard({ verify: [verifier], enqueue: () => {} })).toThrow(
      /acme: the signature covers the request URL, so publicUrl must be set/,
    )
  })

  test('{method}{path}?{query} and {form}: the form parameters sorted by name, distinct values sorted', async () => {
    const verifier = acme({ signedContent: '{method} {path}?{query}|{form}' })
    const body = 'To=%2B1555&From=%2B1666&Body=hi+there&Media=b&Media=a&Media=b'
    const signed = sign('POST /hooks/acme?b=2&a=1|Bodyhi thereFrom+1666MediaaMediabTo+1555')
    const form = { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' }
    expect((await send(verifier, { body, headers: { ...form, 'x-sig': signed } })).status).toBe(202)
    const tampered = body.replace('hi+there', 'bye')
    expect((await send(verifier, { body: tampered, headers: { ...form, 'x-sig': signed } })).code).toBe(
      'invalid_signature',
    )
    // A body that is not form-encoded: its parameters are not what was signed.
    const json = { 'content-type': 'application/json', 'x-sig': signed }
    expect((await send(verifier, { body, headers: json })).code).toBe('invalid_signature')
  })

  test('SHA-1 and SHA-512', async () => {
    for (const algorithm of ['sha1', 'sha512'] as const) {
      const verifier = acme({ algorithm })
      expect((await send(verifier, { headers: { 'x-sig': sign('x=1', algorithm) } })).status).toBe(202)
      expect((await send(verifier, { headers: { 'x-sig': sign('x=2', algorithm) } })).code).toBe('invalid_signature')
    }
  })

  test('bodySha256Param: the body signed through its hash in the signed query (Twilio JSON)', async () => {
    const verifier = acme({ signedContent: '{url}', publicUrl: 'https://example.com', bodySha256Param: 'bodySHA256' })
    const body = '{"CallSid":"CA123"}'
    const hash = createHash('sha256').update(body).digest('hex')
    const url = `https://example.com/hooks/acme?bodySHA256=${hash}`
    const request = { url: `http://internal/hooks/acme?bodySHA256=${hash}`, body, headers: { 'x-sig': sign(url) } }
    expect((await send(verifier, request)).status).toBe(202)
    expect((await send(verifier, { ...request, body: '{"CallSid":"CA999"}' })).code).toBe('invalid_signature')
    const noHash = {
      ...request,
      url: 'http://internal/hooks/acme',
      headers: { 'x-sig': sign('https://example.com/hooks/acme') },
    }
    expect((await send(verifier, noHash)).code).toBe('invalid_signature')
  })

  test('new options are checked at creation', () => {
    expect(() => acme({ signedContent: '{url}{body}', publicUrl: 'example.com' })).toThrow(
      "acme: publicUrl must be an absolute http(s) URL without a query or fragment, e.g. 'https://example.com'",
    )
    expect(() => acme({ signedContent: '{url}{body}', publicUrl: 'https://example.com/?x=1' })).toThrow(
      /publicUrl must be/,
    )
    expect(() => acme({ publicUrl: 'https://example.com' })).toThrow(
      'acme: signedContent must be a template with {url} when publicUrl is set',
    )
    expect(() => acme({ signedContent: '{url}' })).toThrow(
      'acme: signedContent must be a template with {body} or {form}',
    )
    expect(() => acme({ signedContent: '{body}', bodySha256Param: 'bodySHA256' })).toThrow(
      'acme: signedContent must be a template with {url} or {query} when bodySha256Param is set',
    )
    expect(() => acme({ signedContent: '{host}{body}' })).toThrow(/unknown placeholder \{host\}/)
  })
})
