/**
 * Verify cost against the platform's own crypto: `jwt().verify` for each JWS
 * algorithm and Standard Webhooks `v1a` (Ed25519), each beside its floor
 * measured in the same round, and jose's `jwtVerify` with a pre-imported
 * `CryptoKey` (jose's best case). Part of `npm run bench`; alone:
 * `node --import tsx bench/verify-cost.ts [--smoke]` (writes
 * bench/results/verify-cost.json and .md).
 */
import {
  constants,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { jwt, standardWebhooks, type Verifier, type VerifyContext } from '@hookguard/core'
import { importSPKI, jwtVerify, SignJWT } from 'jose'
import { formatNumber, formatRatio, jsonPayload, markdownTable, median, nowSeconds, table } from './shared.js'

export interface VerifyCostOptions {
  rounds: number
  /** tinybench time budget per task per round, ms. */
  timeMs: number
}

/** One case of a group, measured against the group's floor in each round. */
export interface VerifyCostRow {
  group: string
  name: string
  /** Median over rounds of the per-op median, µs. */
  microseconds: number
  /** Median over rounds of this case's time over the floor's, same round. */
  ratioToFloor: number
  /** Lowest and highest of those per-round ratios. */
  range: [number, number]
  /** The per-round ratios, in round order (so two cases can be compared round by round). */
  rounds: number[]
}

interface Case {
  name: string
  fn: () => unknown
}

interface Group {
  name: string
  floor: Case
  cases: Case[]
}

const issuer = 'https://issuer.example'
const audience = 'https://hooks.example'

export const floorLabel = {
  hmac: 'floor: node:crypto HMAC of the signing input + base64url decode + JSON.parse of the claims',
  asymmetric: 'floor: node:crypto.verify with a KeyObject imported once',
} as const

export const caseLabel = {
  ours: 'hookguard jwt().verify',
  jose: "jose jwtVerify, CryptoKey imported once (jose's best case)",
  subtle: 'Web Crypto subtle.verify alone, same CryptoKey (what jose awaits)',
  v1a: 'hookguard standardWebhooks({ publicKey }).verify (v1a)',
} as const

function context(headers: Record<string, string>, body: Uint8Array): VerifyContext {
  return { method: 'POST', headers, body, params: {}, tls: undefined, nowMs: Date.now(), toleranceSeconds: 300 }
}

/** Throws unless `verifier` accepts (sync or async). */
function accepted(verifier: Verifier, ctx: VerifyContext): unknown {
  return verifier.verify(ctx)
}

/** The private and public key of each asymmetric algorithm, and how node:crypto verifies it. */
function keyPair(alg: string): { privateKey: KeyObject; publicKey: KeyObject } {
  if (alg.startsWith('RS') || alg.startsWith('PS')) return generateKeyPairSync('rsa', { modulusLength: 2048 })
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' })
  if (alg === 'ES384') return generateKeyPairSync('ec', { namedCurve: 'P-384' })
  return generateKeyPairSync('ed25519')
}

/** Web Crypto's parameters for `alg`, as jose passes them to `subtle.verify`. */
function subtleParams(alg: string): AlgorithmIdentifier | RsaPssParams | EcdsaParams {
  if (alg.startsWith('RS')) return { name: 'RSASSA-PKCS1-v1_5' }
  if (alg.startsWith('PS')) return { name: 'RSA-PSS', saltLength: Number(alg.slice(2)) / 8 }
  if (alg.startsWith('ES')) return { name: 'ECDSA', hash: `SHA-${alg.slice(2)}` }
  return { name: 'Ed25519' }
}

function nodeVerifyOptions(alg: string, key: KeyObject) {
  if (alg.startsWith('PS'))
    return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 }
  if (alg.startsWith('ES')) return { key, dsaEncoding: 'ieee-p1363' as const }
  return { key }
}

/** A 256 B claim set (padded with a `pad` claim), like a real sender's token. */
function claims(): Record<string, unknown> {
  const now = nowSeconds()
  const base = { iss: issuer, aud: audience, sub: 'sender-1', iat: now, exp: now + 3600, pad: '' }
  const pad = 256 - JSON.stringify(base).length
  return { ...base, pad: 'x'.repeat(Math.max(0, pad)) }
}

async function hmacGroup(alg: 'HS256' | 'HS384' | 'HS512'): Promise<Group> {
  const secret = new TextEncoder().encode(`jwt-bench-${alg}-secret-0123456789-abcdef-0123456789`)
  const token = await new SignJWT(claims()).setProtectedHeader({ alg, typ: 'JWT' }).sign(secret)
  const [header, payload] = token.split('.') as [string, string, string]
  const signingInput = `${header}.${payload}`
  const keyObject = createSecretKey(secret)
  const hash = `sha${alg.slice(2)}`
  const ours = jwt({ secret, algorithms: [alg], issuer, audience })
  const ctx = context({ authorization: `Bearer ${token}` }, new Uint8Array(256))
  const cryptoKey = await crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: `SHA-${alg.slice(2)}` }, false, [
    'verify',
  ])
  return {
    name: alg,
    floor: {
      name: floorLabel.hmac,
      fn: () => {
        createHmac(hash, keyObject).update(signingInput).digest()
        return JSON.parse(Buffer.from(payload, 'base64url').toString())
      },
    },
    cases: [
      { name: caseLabel.ours, fn: () => accepted(ours, ctx) },
      { name: caseLabel.jose, fn: () => jwtVerify(token, cryptoKey, { algorithms: [alg], issuer, audience }) },
    ],
  }
}

async function asymmetricGroup(alg: 'RS256' | 'PS256' | 'ES256' | 'EdDSA'): Promise<Group> {
  const { privateKey, publicKey } = keyPair(alg)
  const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string
  const signer = createPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' }))
  const token = await new SignJWT(claims()).setProtectedHeader({ alg, typ: 'JWT' }).sign(signer)
  const [header, payload, signature] = token.split('.') as [string, string, string]
  const input = Buffer.from(`${header}.${payload}`)
  const signatureBytes = Buffer.from(signature, 'base64url')
  const options = nodeVerifyOptions(alg, createPublicKey(pem))
  const hash = alg === 'EdDSA' ? null : `sha${alg.slice(2)}`
  const ours = jwt({ publicKey: pem, algorithms: [alg], issuer, audience })
  const ctx = context({ authorization: `Bearer ${token}` }, new Uint8Array(256))
  await ours.verify(ctx) // the key import settles before the first timed call
  const cryptoKey = await importSPKI(pem, alg)
  const params = subtleParams(alg)
  return {
    name: alg,
    floor: {
      name: floorLabel.asymmetric,
      fn: () => {
        if (!verify(hash, input, options, signatureBytes)) throw new Error('floor: bad signature')
      },
    },
    cases: [
      { name: caseLabel.ours, fn: () => accepted(ours, ctx) },
      { name: caseLabel.jose, fn: () => jwtVerify(token, cryptoKey, { algorithms: [alg], issuer, audience }) },
      // jose's own crypto step: the thread-pool round trip of Web Crypto, which bounds how far below jose anyone can be.
      {
        name: caseLabel.subtle,
        fn: async () => {
          if (!(await crypto.subtle.verify(params, cryptoKey, signatureBytes, input)))
            throw new Error('subtle: bad signature')
        },
      },
    ],
  }
}

/** Standard Webhooks v1a: an Ed25519 signature of `id.timestamp.body` (256 B body). */
function v1aGroup(): Group {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const raw = (publicKey.export({ format: 'jwk' }) as { x: string }).x
  const whpk = `whpk_${Buffer.from(raw, 'base64url').toString('base64')}`
  const body = new Uint8Array(Buffer.from(jsonPayload(256)))
  const id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W'
  const timestamp = String(nowSeconds())
  const message = Buffer.concat([Buffer.from(`${id}.${timestamp}.`), body])
  const signature = sign(null, message, privateKey)
  const headers = {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1a,${signature.toString('base64')}`,
  }
  const ours = standardWebhooks({ publicKey: whpk })
  const ctx = context(headers, body)
  const keyObject = createPublicKey(publicKey.export({ type: 'spki', format: 'pem' }))
  return {
    name: 'Standard Webhooks v1a (Ed25519, 256 B)',
    floor: {
      name: floorLabel.asymmetric,
      fn: () => {
        if (!verify(null, message, keyObject, signature)) throw new Error('floor: bad signature')
      },
    },
    cases: [{ name: caseLabel.v1a, fn: () => accepted(ours, ctx) }],
  }
}

/** A case ready to time: how many calls make one sample, and whether each call is awaited. */
interface Timed {
  c: Case
  awaited: boolean
  batch: number
}

/** The time of `batch` calls, per call, in µs. */
async function sample(t: Timed): Promise<number> {
  const started = process.hrtime.bigint()
  if (t.awaited) for (let i = 0; i < t.batch; i++) await t.c.fn()
  else for (let i = 0; i < t.batch; i++) t.c.fn()
  return Number(process.hrtime.bigint() - started) / 1000 / t.batch
}

/** Warms a case up and sizes its sample to about `sampleUs` (so the clock's own cost does not matter). */
async function prepare(c: Case, sampleUs: number): Promise<Timed> {
  const probe = c.fn()
  const awaited = probe instanceof Promise
  if (awaited) await probe
  const t: Timed = { c, awaited, batch: 4 }
  let perCall = Number.POSITIVE_INFINITY
  for (let i = 0; i < 20; i++) perCall = Math.min(perCall, await sample(t))
  t.batch = Math.max(1, Math.round(sampleUs / perCall))
  return t
}

/**
 * Each round takes samples of every case in turn (the order rotated each
 * time), so a case and its floor are measured moments apart and a load that
 * comes and goes on a shared machine weighs on both; a round's ratio is the
 * case's median sample over the floor's.
 */
async function runGroup(group: Group, options: VerifyCostOptions): Promise<VerifyCostRow[]> {
  const all = [group.floor, ...group.cases]
  const timed: Timed[] = []
  for (const c of all) timed.push(await prepare(c, 400))
  const times = new Map<string, number[]>(all.map((c) => [c.name, []]))
  const ratios = new Map<string, number[]>(all.map((c) => [c.name, []]))
  for (let round = 0; round < options.rounds; round++) {
    const samples = new Map<string, number[]>(all.map((c) => [c.name, []]))
    const until = performance.now() + options.timeMs * all.length
    for (let turn = 0; performance.now() < until || turn < all.length; turn++) {
      for (let i = 0; i < timed.length; i++) {
        const t = timed[(i + turn) % timed.length] as Timed
        samples.get(t.c.name)!.push(await sample(t))
      }
    }
    const floor = median(samples.get(group.floor.name)!)
    for (const c of all) {
      const us = median(samples.get(c.name)!)
      times.get(c.name)!.push(us)
      ratios.get(c.name)!.push(us / floor)
    }
  }
  return all.map((c) => {
    const r = ratios.get(c.name)!
    return {
      group: group.name,
      name: c.name,
      microseconds: median(times.get(c.name)!),
      ratioToFloor: median(r),
      range: [Math.min(...r), Math.max(...r)],
      rounds: r,
    }
  })
}

/** How many times faster `ours` is than `peer` in `group`: per round, then the median and the range. */
export function speedup(
  rows: readonly VerifyCostRow[],
  group: string,
  ours: string,
  peer: string,
): { median: number; rounds: number[] } {
  const a = rows.find((r) => r.group === group && r.name === ours)
  const b = rows.find((r) => r.group === group && r.name === peer)
  if (!a || !b) return { median: Number.NaN, rounds: [] }
  const rounds = a.rounds.map((x, i) => (b.rounds[i] as number) / x)
  return { median: median(rounds), rounds }
}

/** Every group, one after the other; `only` keeps the groups whose name starts with one of its entries. */
export async function runVerifyCost(
  options: VerifyCostOptions,
  log: (line: string) => void,
  only?: readonly string[],
): Promise<VerifyCostRow[]> {
  const builders: [string, () => Group | Promise<Group>][] = [
    ['HS256', () => hmacGroup('HS256')],
    ['HS384', () => hmacGroup('HS384')],
    ['HS512', () => hmacGroup('HS512')],
    ['RS256', () => asymmetricGroup('RS256')],
    ['PS256', () => asymmetricGroup('PS256')],
    ['ES256', () => asymmetricGroup('ES256')],
    ['EdDSA', () => asymmetricGroup('EdDSA')],
    ['v1a', v1aGroup],
  ]
  const rows: VerifyCostRow[] = []
  for (const [key, build] of builders) {
    if (only && !only.some((o) => key.startsWith(o))) continue
    rows.push(...(await runGroup(await build(), options)))
    log(`  verify cost ${key} done`)
  }
  return rows
}

export function verifyCostTable(rows: readonly VerifyCostRow[]): { header: string[]; rows: string[][] } {
  const header = ['algorithm', 'verifier', 'µs/op', 'ops/s', '× floor (median)', 'rounds (min–max)']
  return {
    header,
    rows: rows.map((r) => [
      r.group,
      r.name,
      formatNumber(r.microseconds, 2),
      formatNumber(1e6 / r.microseconds),
      formatRatio(r.ratioToFloor),
      r.name.startsWith('floor') ? '' : `${r.range[0].toFixed(2)}–${r.range[1].toFixed(2)}×`,
    ]),
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const smoke = process.argv.includes('--smoke')
  const only = process.argv
    .find((a) => a.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',')
  const options = smoke ? { rounds: 1, timeMs: 5 } : { rounds: 7, timeMs: 150 }
  const rows = await runVerifyCost(options, (line) => process.stderr.write(`${line}\n`), only)
  const t = verifyCostTable(rows)
  process.stdout.write(`${table(t.header, t.rows)}\n`)
  const dir = fileURLToPath(new URL('./results/', import.meta.url))
  mkdirSync(dir, { recursive: true })
  const name = smoke ? 'verify-cost-smoke' : 'verify-cost'
  writeFileSync(`${dir}${name}.json`, `${JSON.stringify({ date: new Date().toISOString(), options, rows }, null, 2)}\n`)
  writeFileSync(`${dir}${name}.md`, `${markdownTable(t.header, t.rows)}\n`)
}
