import { sign } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type CertServer, startCertServer } from '../../test-support/cert-server.js'
import { makeSigningCertificate } from '../../test-support/certs.js'
import { type CertificateUrlOptions, certificateKeys } from './certificate-keys.js'

const signing = makeSigningCertificate()
const other = makeSigningCertificate()
const data = 'Message\nhello\n'
let server: CertServer

beforeAll(async () => {
  server = await startCertServer()
  server.routes.set('/a.pem', { body: signing.cert })
  server.routes.set('/b.pem', { body: other.cert })
  server.routes.set('/slow.pem', { body: signing.cert, delayMs: 300 })
  server.routes.set('/missing.pem', { status: 404, body: 'no' })
  server.routes.set('/garbage.pem', { body: 'not a certificate' })
})
afterAll(() => server.close())

const keys = (options: Partial<CertificateUrlOptions> = {}) =>
  certificateKeys({ hosts: ['127.0.0.1'], fetch: server.fetch, ...options }, 'test')
const hits = (path: string) => server.hits.get(path) ?? 0
const url = (path: string) => `${server.origin}${path}`

describe('certificateKeys', () => {
  test("a certificate's key verifies what its private key signed, SHA-1 and SHA-256, from one fetch", async () => {
    const certificates = keys()
    const before = hits('/a.pem')
    const sha256 = await certificates.key(url('/a.pem'), 'rsa-pkcs1-sha256')
    expect(await sha256.verify([data], sign('sha256', Buffer.from(data), signing.key))).toBe(true)
    expect(await sha256.verify([data], sign('sha256', Buffer.from(data), other.key))).toBe(false)
    const sha1 = await certificates.key(url('/a.pem'), 'rsa-pkcs1-sha1')
    expect(await sha1.verify([data], sign('sha1', Buffer.from(data), signing.key))).toBe(true)
    expect(hits('/a.pem') - before).toBe(1)
  })

  test('one fetch per URL at a time: twenty requests at once wait for the same fetch', async () => {
    const certificates = keys()
    const before = hits('/slow.pem')
    const all = await Promise.all(
      Array.from({ length: 20 }, () => certificates.key(url('/slow.pem'), 'rsa-pkcs1-sha256')),
    )
    expect(new Set(all).size).toBe(1)
    expect(hits('/slow.pem') - before).toBe(1)
  })

  test('cached for cacheMaxAgeMs, then fetched again; at most cacheSize URLs are kept', async () => {
    const certificates = keys({ cacheMaxAgeMs: 150, cacheSize: 1 })
    const before = hits('/a.pem')
    await certificates.key(url('/a.pem'), 'rsa-pkcs1-sha256')
    await certificates.key(url('/a.pem'), 'rsa-pkcs1-sha256')
    expect(hits('/a.pem') - before).toBe(1)
    await new Promise((resolve) => setTimeout(resolve, 200))
    await certificates.key(url('/a.pem'), 'rsa-pkcs1-sha256')
    expect(hits('/a.pem') - before).toBe(2)
    // A second URL pushes the first out of a cache of one.
    await certificates.key(url('/b.pem'), 'rsa-pkcs1-sha256')
    await certificates.key(url('/a.pem'), 'rsa-pkcs1-sha256')
    expect(hits('/a.pem') - before).toBe(3)
  })

  test.each([
    ['another host', 'https://sns.us-east-1.amazonaws.com.evil.test/a.pem', 'host'],
    ['http', 'http://127.0.0.1:1/a.pem', 'scheme http:'],
    ['a path that is not .pem', '/a.txt', 'not a .pem file'],
    ['a query after .pem', '/a.pem?x=1', 'not a .pem file'],
    ['credentials', 'https://user:pw@127.0.0.1/a.pem', 'has credentials'],
    ['not a URL', 'a.pem', 'not a URL'],
  ])('refuses %s with 401 invalid_signature, without a fetch', async (_, target, why) => {
    const before = [...server.hits.values()].reduce((a, b) => a + b, 0)
    const location = target.startsWith('/') ? url(target) : target
    await expect(keys().key(location, 'rsa-pkcs1-sha256')).rejects.toMatchObject({
      code: 'invalid_signature',
      detail: expect.stringContaining(why),
    })
    expect([...server.hits.values()].reduce((a, b) => a + b, 0)).toBe(before)
  })

  test('hosts as a pattern: the SNS one refuses look-alikes', async () => {
    const sns = certificateKeys({ hosts: /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/, fetch: server.fetch }, 'test')
    for (const host of ['sns.us-east-1.amazonaws.com.evil.test', 'evil.test', 'xsns.us-east-1.amazonaws.com']) {
      await expect(sns.key(`https://${host}/a.pem`, 'rsa-pkcs1-sha256')).rejects.toMatchObject({
        code: 'invalid_signature',
      })
    }
  })

  test('allowHttp admits http: URLs (and only then)', async () => {
    const seen: string[] = []
    const fetch = async (target: string) => {
      seen.push(target)
      return { ok: true, status: 200, text: async () => signing.cert }
    }
    const key = await keys({ allowHttp: true, fetch }).key('http://127.0.0.1:9/k.pem', 'rsa-pkcs1-sha256')
    expect(await key.verify([data], sign('sha256', Buffer.from(data), signing.key))).toBe(true)
    expect(seen).toEqual(['http://127.0.0.1:9/k.pem'])
  })

  test('a fetch that times out is 503 keys_unavailable; the URL is not fetched again during the back-off', async () => {
    let calls = 0
    let aborted = 0
    // A server that never answers: the fetch settles only by its abort signal (which it may also ignore).
    const hanging: CertificateUrlOptions['fetch'] = (_, init) => {
      calls++
      init.signal.addEventListener('abort', () => aborted++)
      return new Promise(() => {})
    }
    const certificates = keys({ timeoutMs: 50, failureBackoffMs: 400, fetch: hanging })
    const started = Date.now()
    await expect(certificates.key(url('/slow.pem'), 'rsa-pkcs1-sha256')).rejects.toMatchObject({
      code: 'keys_unavailable',
      status: 503,
      detail: expect.stringContaining('timed out after 50 ms'),
    })
    expect(Date.now() - started).toBeLessThan(1000)
    expect(aborted).toBe(1)
    await expect(certificates.key(url('/slow.pem'), 'rsa-pkcs1-sha256')).rejects.toMatchObject({
      code: 'keys_unavailable',
    })
    expect(calls).toBe(1)
    await new Promise((resolve) => setTimeout(resolve, 450))
    await expect(certificates.key(url('/slow.pem'), 'rsa-pkcs1-sha256')).rejects.toMatchObject({
      code: 'keys_unavailable',
    })
    expect(calls).toBe(2)
  })

  test('a real server slower than the timeout is 503 keys_unavailable too', async () => {
    await expect(keys({ timeoutMs: 100 }).key(url('/slow.pem'), 'rsa-pkcs1-sha256')).rejects.toMatchObject({
      code: 'keys_unavailable',
    })
  })

  test.each([
    ['a 404', '/missing.pem', 'HTTP 404'],
    ['a body that is no certificate', '/garbage.pem', 'not a PEM certificate'],
    ['a path the server does not have', '/nowhere.pem', 'HTTP 404'],
  ])('%s is 503 keys_unavailable', async (_, path, why) => {
    await expect(keys().key(url(path), 'rsa-pkcs1-sha256')).rejects.toMatchObject({
      code: 'keys_unavailable',
      detail: expect.stringContaining(why),
    })
  })

  test('a fetch that throws (connection refused) is 503 keys_unavailable', async () => {
    const refused = certificateKeys(
      {
        hosts: ['127.0.0.1'],
        fetch: async () => {
          throw new Error('ECONNREFUSED')
        },
      },
      'test',
    )
    await expect(refused.key('https://127.0.0.1:1/a.pem', 'rsa-pkcs1-sha256')).rejects.toMatchObject({
      code: 'keys_unavailable',
    })
  })

  test('options are checked at creation', () => {
    expect(() => certificateKeys({} as CertificateUrlOptions, 'sns')).toThrow('sns: certificateUrl.hosts must be')
    expect(() => certificateKeys({ hosts: [''] }, 'sns')).toThrow('sns: certificateUrl.hosts[0] must be')
    expect(() => certificateKeys({ hosts: 'a.test', timeoutMs: 0 }, 'sns')).toThrow('certificateUrl.timeoutMs')
    expect(() => certificateKeys({ hosts: 'a.test', cacheSize: 1.5 }, 'sns')).toThrow('certificateUrl.cacheSize')
  })
})
