/**
 * The verifier curves of `bench/scaling.ts`: cost by the number of secrets
 * during a rotation (the valid signature under the last one), and cost by
 * body size against a `node:crypto` floor doing the same cryptography.
 */
import { createHmac, createPublicKey, generateKeyPairSync, sign, timingSafeEqual, verify } from 'node:crypto'
import { hmacSignature, jwt, standardWebhooks, type VerifyContext } from '@hookguard/core'
import { SignJWT } from 'jose'
import { jsonPayload, nowSeconds, signStandard } from '../shared.js'
import { batchFor, type TimedCase, type TimedRow, type TimingOptions, timeCases } from './timing.js'

function context(headers: Record<string, string>, body: Uint8Array): VerifyContext {
  return { method: 'POST', headers, body, params: {}, tls: undefined, nowMs: Date.now(), toleranceSeconds: 300 }
}

const id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W'

/** `count` distinct 24-byte secrets. */
function secrets(count: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => Buffer.from(`hookguard-rotation-key-${String(i).padStart(2, '0')}`))
}

export interface RotationRow extends TimedRow {
  verifier: string
  keys: number
}

/**
 * `standardWebhooks` and a GitHub-style `hmacSignature` with 1, 2 and 8
 * secrets, a 4 KiB body signed with the last secret: every secret before it
 * costs one HMAC that does not match.
 */
export async function rotationCurve(keyCounts: readonly number[], options: TimingOptions): Promise<RotationRow[]> {
  const size = 4096
  const body = new Uint8Array(Buffer.from(jsonPayload(size)))
  const rows: RotationRow[] = []
  const standardCases: TimedCase[] = []
  const hmacCases: TimedCase[] = []
  for (const count of keyCounts) {
    const keys = secrets(count)
    const last = keys[count - 1] as Buffer
    const headers = signStandard(last, id, nowSeconds(), body)
    const standard = standardWebhooks({ secret: keys.map((k) => `whsec_${k.toString('base64')}`) })
    const standardCtx = context(headers, body)
    standardCases.push({ name: `${count}`, fn: () => standard.verify(standardCtx) })

    const hmac = hmacSignature({
      secret: keys.map((k) => new Uint8Array(k)),
      header: 'x-hub-signature-256',
      algorithm: 'sha256',
      encoding: 'hex',
      prefix: 'sha256=',
    })
    const digest = createHmac('sha256', last).update(body).digest('hex')
    const hmacCtx = context({ 'x-hub-signature-256': `sha256=${digest}` }, body)
    hmacCases.push({ name: `${count}`, fn: () => hmac.verify(hmacCtx) })
  }
  for (const [verifier, cases] of [
    ['standardWebhooks (v1)', standardCases],
    ['hmacSignature (GitHub-style, hex)', hmacCases],
  ] as const) {
    for (const row of await timeCases(cases, batchFor(size), options)) {
      rows.push({ ...row, verifier, keys: Number(row.name), name: `${verifier}, ${row.name} keys` })
    }
  }
  return rows
}

export interface BodyRow extends TimedRow {
  verifier: string
  floor: string
  size: number
}

/** One verifier at one size, with the floor it is measured against. */
interface Pair {
  verifier: string
  floor: string
  make: (size: number) => Promise<[floor: () => unknown, ours: () => unknown]>
}

const hmacFloorName = 'node:crypto createHmac + timingSafeEqual'

const pairs: Pair[] = [
  {
    verifier: 'standardWebhooks v1 (HMAC-SHA256)',
    floor: hmacFloorName,
    make: async (size) => {
      const key = secrets(1)[0] as Buffer
      const body = new Uint8Array(Buffer.from(jsonPayload(size)))
      const timestamp = nowSeconds()
      const headers = signStandard(key, id, timestamp, body)
      const signature = Buffer.from((headers['webhook-signature'] as string).slice(3))
      const prefix = `${id}.${timestamp}.`
      const verifier = standardWebhooks({ secret: `whsec_${key.toString('base64')}` })
      const ctx = context(headers, body)
      return [
        () => {
          const expected = Buffer.from(createHmac('sha256', key).update(prefix).update(body).digest('base64'))
          if (expected.length !== signature.length || !timingSafeEqual(expected, signature)) throw new Error('mismatch')
        },
        () => verifier.verify(ctx),
      ]
    },
  },
  {
    verifier: 'standardWebhooks v1a (Ed25519)',
    floor: 'node:crypto verify, KeyObject made once',
    make: async (size) => {
      const { publicKey, privateKey } = generateKeyPairSync('ed25519')
      const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url')
      const body = new Uint8Array(Buffer.from(jsonPayload(size)))
      const timestamp = nowSeconds()
      const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`), body])
      const signature = sign(null, signed, privateKey)
      const headers = {
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': `v1a,${signature.toString('base64')}`,
      }
      const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' })
      const verifier = standardWebhooks({ publicKey: `whpk_${raw.toString('base64')}` })
      const ctx = context(headers, body)
      return [
        () => {
          if (!verify(null, signed, key, signature)) throw new Error('mismatch')
        },
        () => verifier.verify(ctx),
      ]
    },
  },
  {
    verifier: 'hmacSignature (GitHub-style, hex)',
    floor: `${hmacFloorName} (hex)`,
    make: async (size) => {
      const key = secrets(1)[0] as Buffer
      const body = new Uint8Array(Buffer.from(jsonPayload(size)))
      const digest = createHmac('sha256', key).update(body).digest('hex')
      const signature = Buffer.from(digest)
      const verifier = hmacSignature({
        secret: new Uint8Array(key),
        header: 'x-hub-signature-256',
        algorithm: 'sha256',
        encoding: 'hex',
        prefix: 'sha256=',
      })
      const ctx = context({ 'x-hub-signature-256': `sha256=${digest}` }, body)
      return [
        () => {
          const expected = Buffer.from(createHmac('sha256', key).update(body).digest('hex'))
          if (expected.length !== signature.length || !timingSafeEqual(expected, signature)) throw new Error('mismatch')
        },
        () => verifier.verify(ctx),
      ]
    },
  },
  {
    verifier: 'jwt HS256 (bearer token; the body is not signed)',
    floor: 'node:crypto HMAC over the signing input + base64url decode + JSON.parse',
    make: async (size) => {
      const secret = new TextEncoder().encode('jwt-bench-secret-0123456789-abcdef')
      const token = await new SignJWT({ sub: 'sender' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(secret)
      const body = new Uint8Array(Buffer.from(jsonPayload(size)))
      const verifier = jwt({ secret, algorithms: ['HS256'], issuer: null, audience: null })
      const ctx = context({ authorization: `Bearer ${token}` }, body)
      const authorization = `Bearer ${token}`
      return [
        () => {
          const text = authorization.slice(7)
          const dot = text.lastIndexOf('.')
          const expected = createHmac('sha256', secret).update(text.slice(0, dot)).digest()
          const given = Buffer.from(text.slice(dot + 1), 'base64url')
          if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new Error('mismatch')
          const payload = text.slice(text.indexOf('.') + 1, dot)
          const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp: number }
          if (!(claims.exp > Date.now() / 1000)) throw new Error('expired')
        },
        () => verifier.verify(ctx),
      ]
    },
  },
]

/** Each verifier against its floor at each body size (ratio = the verifier's time over the floor's, same round). */
export async function bodyCurve(sizes: readonly number[], options: TimingOptions): Promise<BodyRow[]> {
  const rows: BodyRow[] = []
  for (const pair of pairs) {
    for (const size of sizes) {
      const [floor, ours] = await pair.make(size)
      const [floorRow, ourRow] = await timeCases(
        [
          { name: pair.floor, fn: floor },
          { name: pair.verifier, fn: ours },
        ],
        batchFor(size),
        options,
      )
      rows.push({ ...(floorRow as TimedRow), verifier: pair.floor, floor: pair.floor, size })
      rows.push({ ...(ourRow as TimedRow), verifier: pair.verifier, floor: pair.floor, size })
    }
  }
  return rows
}
