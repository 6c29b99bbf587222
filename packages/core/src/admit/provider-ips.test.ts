import { spawnSync } from 'node:child_process'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, test } from 'vitest'
import { createGuard } from '../guard.js'
import { bearerToken } from '../verify/bearer-token.js'
import { parseIp } from './ip.js'
import { compileAllowIps } from './ip-source.js'
import { type ProviderIps, providerIps } from './provider-ips.js'
import { githubIps } from './providers/github.js'
import { stripeIps } from './providers/stripe.js'

/** A local stand-in for a sender's list server: it answers what `reply` says and records each request. */
interface ListServer {
  url: string
  requests: IncomingMessage['headers'][]
  reply: (request: IncomingMessage) => { status: number; body?: string; headers?: Record<string, string> }
  /** While set, answers wait for it. */
  hold?: Promise<void>
  close(): Promise<void>
}

const open: { close(): unknown }[] = []
afterEach(async () => {
  for (const item of open.splice(0)) await item.close()
})

async function listServer(reply: ListServer['reply']): Promise<ListServer> {
  const server: Server = createServer(async (request, response) => {
    state.requests.push(request.headers)
    if (state.hold) await state.hold
    const { status, body = '', headers = {} } = state.reply(request)
    response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const state: ListServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/meta`,
    requests: [],
    reply,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
  open.push(state)
  return state
}

const hooks = (...rules: string[]) => JSON.stringify({ hooks: rules, web: ['0.0.0.0/0'] })
const allowed = (source: ProviderIps, address: string) => source.current().matches(parseIp(address)!)

function github(url: string, errors: Error[] = []): ProviderIps {
  const source = providerIps('github', { refresh: { url, onError: (error) => errors.push(error) } })
  open.push(source)
  return source
}

describe('providerIps: the bundled snapshot', () => {
  test('the snapshot is in force with no refresh: no timer, no network', () => {
    const source = providerIps('github')
    expect(source.current().rules).toEqual(githubIps.snapshot)
    expect(allowed(source, '140.82.112.9')).toBe(true)
    expect(allowed(source, '2606:50c0::1')).toBe(true)
    expect(allowed(source, '127.0.0.1')).toBe(false)
    expect(source.origin()).toEqual({ from: 'snapshot', date: githubIps.snapshotDate })
    expect(allowed(providerIps('stripe'), stripeIps.snapshot[0]!)).toBe(true)
    expect(allowed(providerIps('paddle-sandbox'), '34.194.127.46')).toBe(true)
    expect(allowed(providerIps('paddle'), '34.194.127.46')).toBe(false)
  })

  test('options are checked at creation', async () => {
    expect(() => providerIps('gitlub' as 'github')).toThrow(/unknown provider "gitlub"; known: github, stripe/)
    expect(() => providerIps('paddle', { refresh: true })).toThrow(
      /refresh must be false: paddle publishes its list only/,
    )
    expect(() => providerIps('github', { refresh: { intervalMs: 1000 } })).toThrow(
      /refresh.intervalMs must be at least/,
    )
    expect(() => providerIps('github', { refresh: { url: 'file:///etc/passwd' } })).toThrow(/refresh.url must be/)
    expect(() => providerIps('github', { refresh: 'yes' as never })).toThrow(/refresh must be/)
    await expect(providerIps('github').refresh()).rejects.toThrow(/refresh is off/)
  })
})

describe('providerIps: refresh from the published list', () => {
  test('a good list replaces the snapshot; a new address is allowed after the refresh', async () => {
    const server = await listServer(() => ({ status: 200, body: hooks('203.0.113.0/24') }))
    const source = github(server.url)
    expect(await source.refresh()).toBe('updated')
    expect(source.current().rules).toEqual(['203.0.113.0/24'])
    expect(allowed(source, '203.0.113.9')).toBe(true)
    expect(allowed(source, '140.82.112.9')).toBe(false)
    expect(source.origin()).toMatchObject({ from: 'fetch' })
    server.reply = () => ({ status: 200, body: hooks('203.0.113.0/24', '198.51.100.7') })
    expect(await source.refresh()).toBe('updated')
    expect(allowed(source, '198.51.100.7')).toBe(true)
    expect(server.requests[0]!['user-agent']).toBe('hookguard')
  })

  test('ETag: the next fetch asks If-None-Match, and a 304 keeps the list', async () => {
    const server = await listServer((request) =>
      request.headers['if-none-match'] === '"v1"'
        ? { status: 304 }
        : { status: 200, body: hooks('203.0.113.0/24'), headers: { etag: '"v1"' } },
    )
    const source = github(server.url)
    expect(await source.refresh()).toBe('updated')
    const compiled = source.current()
    expect(await source.refresh()).toBe('unchanged')
    expect(server.requests.map((h) => h['if-none-match'])).toEqual([undefined, '"v1"'])
    expect(source.current()).toBe(compiled)
  })

  test('Last-Modified: the next fetch asks If-Modified-Since', async () => {
    const date = 'Tue, 01 Dec 2026 10:00:00 GMT'
    const server = await listServer(() => ({
      status: 200,
      body: hooks('203.0.113.0/24'),
      headers: { 'last-modified': date },
    }))
    const source = github(server.url)
    await source.refresh()
    expect(await source.refresh()).toBe('unchanged')
    expect(server.requests.map((h) => h['if-modified-since'])).toEqual([undefined, date])
  })

  test.each([
    ['a 500', { status: 500, body: 'oops' }, /HTTP 500/],
    ['an empty list', { status: 200, body: hooks() }, /the list is empty/],
    ['garbage', { status: 200, body: '<html>rate limited</html>' }, /not JSON/],
    ['a list in the wrong place', { status: 200, body: JSON.stringify({ web: ['203.0.113.0/24'] }) }, /no list/],
    [
      'a list with one bad rule',
      { status: 200, body: hooks('203.0.113.0/24', '10.0.0.0/33') },
      /invalid address or CIDR/,
    ],
    ['a list of non-strings', { status: 200, body: JSON.stringify({ hooks: [1, 2] }) }, /no list/],
  ])('%s is refused and the last good list stays in force', async (_, bad, message) => {
    const server = await listServer(() => ({ status: 200, body: hooks('203.0.113.0/24') }))
    const errors: Error[] = []
    const source = github(server.url, errors)
    await source.refresh()
    const good = source.current()
    server.reply = () => bad
    expect(await source.refresh()).toBe('failed')
    expect(source.current()).toBe(good)
    expect(allowed(source, '203.0.113.9')).toBe(true)
    expect(errors).toHaveLength(1)
    expect(errors[0]!.message).toMatch(
      /providerIps\(github\): refresh from http:\/\/127\.0\.0\.1:\d+\/meta failed, keeping/,
    )
    expect(errors[0]!.message).toMatch(message)
  })

  test('a server that is gone: the snapshot stays in force', async () => {
    const server = await listServer(() => ({ status: 200, body: hooks('203.0.113.0/24') }))
    await server.close()
    const errors: Error[] = []
    const source = github(server.url, errors)
    expect(await source.refresh()).toBe('failed')
    expect(source.current().rules).toEqual(githubIps.snapshot)
    expect(errors[0]!.message).toMatch(/failed, keeping the last good list/)
  })

  test('the swap is atomic: until the new list is complete, every lookup sees the old one whole', async () => {
    const server = await listServer(() => ({ status: 200, body: hooks('203.0.113.0/24') }))
    const source = github(server.url)
    await source.refresh()
    const old = source.current()
    let release = () => {}
    server.hold = new Promise<void>((resolve) => {
      release = resolve
    })
    const many = Array.from({ length: 5000 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`)
    server.reply = () => ({ status: 200, body: hooks(...many) })
    const pending = source.refresh()
    // A second caller during the fetch gets the same fetch.
    expect(source.refresh()).toBe(pending)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(source.current()).toBe(old)
    expect(allowed(source, '203.0.113.9')).toBe(true)
    expect(allowed(source, '10.0.0.1')).toBe(false)
    release()
    expect(await pending).toBe('updated')
    const next = source.current()
    expect(next.rules).toHaveLength(5000)
    expect(Object.isFrozen(next.rules)).toBe(true)
    // The old object is unchanged: whoever read it mid-refresh kept a whole list.
    expect(old.rules).toEqual(['203.0.113.0/24'])
    expect(old.matches(parseIp('203.0.113.9')!)).toBe(true)
    expect([allowed(source, '203.0.113.9'), allowed(source, '10.19.135.1')]).toEqual([false, true])
  })

  test('with refresh on, the first fetch starts at once in the background', async () => {
    const server = await listServer(() => ({ status: 200, body: hooks('203.0.113.0/24') }))
    const source = github(server.url)
    for (let i = 0; i < 100 && source.current().rules[0] !== '203.0.113.0/24'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    expect(source.current().rules).toEqual(['203.0.113.0/24'])
  })

  test('close() stops the timer before its first fetch, and refresh() after close is refused', async () => {
    const server = await listServer(() => ({ status: 200, body: hooks('203.0.113.0/24') }))
    const source = github(server.url)
    source.close()
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(server.requests).toHaveLength(0)
    await expect(source.refresh()).rejects.toThrow(/closed/)
  })

  test('an injected fetch is used instead of the global one', async () => {
    const urls: string[] = []
    const fetch = (async (url: string) => {
      urls.push(url)
      return new Response(JSON.stringify({ WEBHOOKS: ['192.0.2.1'] }), { status: 200 })
    }) as typeof globalThis.fetch
    const source = providerIps('stripe', { refresh: { fetch } })
    open.push(source)
    expect(await source.refresh()).toBe('updated')
    expect(urls[0]).toBe('https://stripe.com/files/ips/ips_webhooks.json')
    expect(allowed(source, '192.0.2.1')).toBe(true)
  })

  test('the refresh timer does not keep the process alive', () => {
    const script = `import { providerIps } from ${JSON.stringify(new URL('./provider-ips.ts', import.meta.url).pathname)}
      providerIps('github', { refresh: { url: 'http://127.0.0.1:9/meta', intervalMs: 60000, onError() {} } })`
    const started = Date.now()
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      timeout: 20_000,
      encoding: 'utf8',
    })
    expect(run.status, run.stderr).toBe(0)
    expect(Date.now() - started).toBeLessThan(15_000)
  })
})

describe('allowIps with rule sources', () => {
  test('static rules and a source: either allows; a list of strings alone compiles as before', async () => {
    const server = await listServer(() => ({ status: 200, body: hooks('203.0.113.0/24') }))
    const source = github(server.url)
    const matcher = compileAllowIps([source, '10.0.0.0/8'], 'allowIps')
    const allows = (address: string) => matcher.matches(parseIp(address)!)
    expect([allows('10.1.2.3'), allows('140.82.112.9'), allows('203.0.113.9')]).toEqual([true, true, false])
    await source.refresh()
    expect([allows('10.1.2.3'), allows('140.82.112.9'), allows('203.0.113.9')]).toEqual([true, false, true])
    expect(compileAllowIps(source, 'allowIps').matches(parseIp('203.0.113.9')!)).toBe(true)
    expect(() => compileAllowIps([{} as never], 'allowIps')).toThrow(/allowIps: every rule must be a string/)
    expect(() => compileAllowIps(null as never, 'allowIps')).toThrow(/allowIps must be an array/)
  })

  test('createGuard takes a source, alone or in a list, and still refuses allowIps: null', () => {
    const guard = (allowIps: unknown) =>
      createGuard({ verify: [bearerToken({ tokens: 't'.repeat(32) })], enqueue: () => {}, allowIps: allowIps as never })
    expect(() => guard(providerIps('stripe'))).not.toThrow()
    expect(() => guard([providerIps('stripe'), '10.0.0.0/8'])).not.toThrow()
    expect(() => guard(null)).toThrow(/allowIps must be an array/)
  })
})
