import { constants, createHash, generateKeyPairSync, sign } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { makeSigningCertificate } from '../../test-support/certs.js'
import { asymmetricSignature } from './asymmetric-signature.js'

const body = '{"event":"order.paid"}'
const enc = new TextEncoder()
const ctx = (headers: Record<string, string>, content = body) => ({
  method: 'POST',
  headers,
  body: enc.encode(content),
  params: {},
  tls: undefined,
  nowMs: 1_700_000_000_000,
  toleranceSeconds: 300,
})
const ed = generateKeyPairSync('ed25519')
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const pem = (key: typeof ed.publicKey) => key.export({ format: 'pem', type: 'spki' }) as string

describe('asymmetricSignature', () => {
  test('Ed25519 in hex over {header:…} and the body; a changed byte or header is refused', async () => {
    const verifier = asymmetricSignature({
      publicKey: pem(ed.publicKey),
      algorithm: 'ed25519',
      header: 'x-sig',
      encoding: 'hex',
      signedContent: '{header:x-delivery}.{body}',
    })
    const signature = sign(null, Buffer.from(`d-1.${body}`), ed.privateKey).toString('hex')
    const result = await verifier.verify(ctx({ 'x-sig': signature, 'x-delivery': 'd-1' }))
    expect(result).toEqual({ replayKey: { key: createHash('sha256').update(`d-1.${body}`).digest('base64') } })
    await expect(verifier.verify(ctx({ 'x-sig': signature, 'x-delivery': 'd-2' }))).rejects.toMatchObject({
      code: 'invalid_signature',
    })
    await expect(verifier.verify(ctx({ 'x-sig': signature, 'x-delivery': 'd-1' }, `${body} `))).rejects.toMatchObject({
      code: 'invalid_signature',
    })
    expect(verifier.signs).toEqual({ body: true, headers: ['x-delivery'] })
  })

  test('RSA-PSS in base64 with a signed timestamp header, as JWK; the window applies', async () => {
    const verifier = asymmetricSignature({
      publicKey: rsa.publicKey.export({ format: 'jwk' }),
      algorithm: 'rsa-pss-sha256',
      header: 'x-sig',
      encoding: 'base64',
      timestamp: { header: 'x-ts' },
      signedContent: '{timestamp}:{body}',
    })
    const signed = (ts: string) =>
      sign('sha256', Buffer.from(`${ts}:${body}`), {
        key: rsa.privateKey,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: 32,
      }).toString('base64')
    expect(await verifier.verify(ctx({ 'x-sig': signed('1700000000'), 'x-ts': '1700000000' }))).toEqual({
      timestamp: 1_700_000_000,
    })
    await expect(verifier.verify(ctx({ 'x-sig': signed('1699999000'), 'x-ts': '1699999000' }))).rejects.toMatchObject({
      code: 'timestamp_too_old',
    })
    await expect(verifier.verify(ctx({ 'x-sig': signed('1700000000') }))).rejects.toMatchObject({
      code: 'invalid_timestamp',
    })
  })

  test('ECDSA raw (P1363) and PKCS#1 v1.5; rotation across keys; a replay key the signature form does not change', async () => {
    const raw = asymmetricSignature({
      publicKey: [pem(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey), pem(ec.publicKey)],
      algorithm: 'ecdsa-p256-sha256',
      signatureFormat: 'raw',
      header: 'x-sig',
      encoding: 'base64',
    })
    const p1363 = sign('sha256', Buffer.from(body), { key: ec.privateKey, dsaEncoding: 'ieee-p1363' })
    const first = await raw.verify(ctx({ 'x-sig': p1363.toString('base64') }))
    const again = sign('sha256', Buffer.from(body), { key: ec.privateKey, dsaEncoding: 'ieee-p1363' })
    expect(await raw.verify(ctx({ 'x-sig': again.toString('base64') }))).toEqual(first)
    const der = sign('sha256', Buffer.from(body), ec.privateKey).toString('base64')
    await expect(raw.verify(ctx({ 'x-sig': der }))).rejects.toMatchObject({ code: 'invalid_signature' })
    const pkcs1 = asymmetricSignature({
      publicKey: pem(rsa.publicKey),
      algorithm: 'rsa-pkcs1-sha256',
      header: 'x-sig',
      encoding: 'hex',
    })
    const signature = sign('sha256', Buffer.from(body), rsa.privateKey).toString('hex')
    expect(await pkcs1.verify(ctx({ 'x-sig': signature }))).toHaveProperty('replayKey')
    await expect(pkcs1.verify(ctx({ 'x-sig': `${signature}0` }))).rejects.toMatchObject({ code: 'invalid_signature' })
    await expect(pkcs1.verify(ctx({ 'x-sig': 'zz' }))).rejects.toMatchObject({ code: 'invalid_signature' })
    await expect(pkcs1.verify(ctx({}))).rejects.toMatchObject({ code: 'missing_signature' })
  })

  test('bad options fail at creation, naming the option', () => {
    const base = {
      publicKey: pem(ec.publicKey),
      algorithm: 'ecdsa-p256-sha256',
      header: 'x-sig',
      encoding: 'base64',
    } as const
    expect(() => asymmetricSignature({ ...base, algorithm: 'rsa-sha1' as never })).toThrow(
      "asymmetric-signature: algorithm must be 'ed25519', 'ecdsa-p256-sha256', 'rsa-pkcs1-sha256', 'rsa-pss-sha256' or 'rsa-pkcs1-sha1'",
    )
    expect(() => asymmetricSignature({ ...base, publicKey: pem(rsa.publicKey) })).toThrow(
      'asymmetric-signature: publicKey[0] must be a ecdsa-p256-sha256 public key (not a public ec key)',
    )
    expect(() => asymmetricSignature({ ...base, publicKey: Array(5).fill(base.publicKey) })).toThrow(
      'asymmetric-signature: publicKey must be at most 4 keys',
    )
    expect(() => asymmetricSignature({ ...base, timestamp: { header: 'x-ts' } })).toThrow(/unsigned timestamp/)
    expect(() => asymmetricSignature({ ...base, timestamp: { entry: 't=' } as never })).toThrow(
      'asymmetric-signature: timestamp must be { header }',
    )
    expect(() => asymmetricSignature({ ...base, signedContent: '{timestamp}' })).toThrow(/\{body\}/)
    expect(() => asymmetricSignature({ ...base, signatureFormat: 'pem' as never })).toThrow(/signatureFormat/)
  })

  describe('with the key in a certificate at a URL the request names', () => {
    const signing = makeSigningCertificate()
    const fetched: string[] = []
    const fetch = async (url: string) => {
      fetched.push(url)
      return { ok: true, status: 200, text: async () => signing.cert }
    }
    const certificateUrl = { hosts: /^certs\.acme\.test$/, fetch }

    test('a header names it: verified with the certificate fetched once; a host not allowed is refused', async () => {
      const verifier = asymmetricSignature({
        algorithm: 'rsa-pkcs1-sha256',
        header: 'x-sig',
        encoding: 'base64',
        certificateUrl: { ...certificateUrl, header: 'x-cert-url' },
      })
      const signature = sign('sha256', Buffer.from(body), signing.key).toString('base64')
      const url = 'https://certs.acme.test/k1.pem'
      fetched.length = 0
      expect(await verifier.verify(ctx({ 'x-sig': signature, 'x-cert-url': url }))).toHaveProperty('replayKey')
      expect(await verifier.verify(ctx({ 'x-sig': signature, 'x-cert-url': url }))).toHaveProperty('replayKey')
      expect(fetched).toEqual([url])
      const forged = sign('sha256', Buffer.from(body), rsa.privateKey).toString('base64')
      await expect(verifier.verify(ctx({ 'x-sig': forged, 'x-cert-url': url }))).rejects.toMatchObject({
        code: 'invalid_signature',
      })
      await expect(
        verifier.verify(ctx({ 'x-sig': signature, 'x-cert-url': 'https://evil.test/k1.pem' })),
      ).rejects.toMatchObject({ code: 'invalid_signature', detail: expect.stringContaining('not allowed') })
      await expect(verifier.verify(ctx({ 'x-sig': signature }))).rejects.toMatchObject({ code: 'missing_signature' })
      expect(fetched).toEqual([url])
    })

    test('signedMessage reads a message from the body: its algorithm, URL, timestamp, id and type', async () => {
      const verifier = asymmetricSignature({
        name: 'acme',
        algorithm: ['rsa-pkcs1-sha1', 'rsa-pkcs1-sha256'],
        encoding: 'base64',
        certificateUrl,
        toleranceSeconds: 60,
        signedMessage: (c) => {
          const m = JSON.parse(new TextDecoder().decode(c.body))
          return {
            signature: m.sig,
            signed: [m.text],
            algorithm: m.v === 1 ? 'rsa-pkcs1-sha1' : m.v === 2 ? 'rsa-pkcs1-sha256' : m.v,
            certificateUrl: m.cert,
            timestampMs: Date.parse(m.at),
            id: m.id,
            type: 'note',
          }
        },
      })
      expect(verifier.credentialHeaders).toBeUndefined()
      const message = (v: unknown, hash: string, at = '2023-11-14T22:13:20.000Z') =>
        JSON.stringify({
          sig: sign(hash, Buffer.from('hello'), signing.key).toString('base64'),
          text: 'hello',
          v,
          cert: 'https://certs.acme.test/k2.pem',
          at,
          id: 'm-1',
        })
      for (const [v, hash] of [
        [1, 'sha1'],
        [2, 'sha256'],
      ] as const) {
        expect(await verifier.verify(ctx({}, message(v, hash)))).toEqual({
          id: 'm-1',
          type: 'note',
          timestamp: 1_700_000_000,
        })
      }
      await expect(verifier.verify(ctx({}, message(1, 'sha256')))).rejects.toMatchObject({ code: 'invalid_signature' })
      await expect(verifier.verify(ctx({}, message('ed25519', 'sha256')))).rejects.toMatchObject({
        code: 'invalid_signature',
        detail: expect.stringContaining('not configured'),
      })
      await expect(verifier.verify(ctx({}, message(2, 'sha256', '2023-11-14T22:11:00.000Z')))).rejects.toMatchObject({
        code: 'timestamp_too_old',
      })
    })

    test('options: publicKey or certificateUrl, one of the two; an algorithm list needs signedMessage', () => {
      const base = { algorithm: 'rsa-pkcs1-sha256', header: 'x-sig', encoding: 'base64' } as const
      expect(() => asymmetricSignature({ ...base })).toThrow(
        'asymmetric-signature: publicKey must be given, or certificateUrl instead (one of the two)',
      )
      expect(() => asymmetricSignature({ ...base, publicKey: pem(rsa.publicKey), certificateUrl })).toThrow(
        /one of the two/,
      )
      expect(() =>
        asymmetricSignature({ ...base, algorithm: ['rsa-pkcs1-sha1', 'rsa-pkcs1-sha256'], certificateUrl }),
      ).toThrow(/needs signedMessage/)
      expect(() => asymmetricSignature({ ...base, certificateUrl: { hosts: [] } })).toThrow(
        'asymmetric-signature: certificateUrl.hosts must be one value or a non-empty list',
      )
    })
  })
})
