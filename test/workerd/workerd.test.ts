import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { SignJWT } from 'jose'
import { Miniflare } from 'miniflare'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { signedHeaders } from '../../packages/core/test-support/sign.js'

const key = randomBytes(24)
const env = {
  WEBHOOK_SECRET: `whsec_${key.toString('base64')}`,
  BEARER_TOKEN: 'worker-token-123',
  JWT_SECRET: randomBytes(32).toString('base64url'),
}
let mf: Miniflare

beforeAll(async () => {
  // Bundle as Wrangler would: worker conditions, no `node` condition, so `#crypto` is the Web Crypto port.
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('./worker.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    write: false,
    logLevel: 'silent',
  })
  const script = bundle.outputFiles[0]?.text ?? ''
  expect(script).not.toMatch(/from\s*["']node:/)
  mf = new Miniflare({ modules: true, script, compatibilityDate: '2025-01-01', bindings: env })
  await mf.ready
}, 60_000)

afterAll(async () => {
  await mf?.dispose()
})

function signed(id: string, body: string) {
  return signedHeaders(key, { id, body })
}

async function post(path: string, headers: Record<string, string>, body: string) {
  const response = await mf.dispatchFetch(`http://worker.test${path}`, { method: 'POST', headers, body })
  return { status: response.status, body: (await response.json()) as { code: string } }
}

describe('inside workerd (miniflare)', () => {
  const body = JSON.stringify({ type: 'scan.completed' })

  test('Standard Webhooks through the Hono adapter and through guard.handle, on Web Crypto', async () => {
    expect(await post('/hono/signed', signed('w1', body), body)).toEqual({
      status: 202,
      body: { status: 202, code: 'accepted' },
    })
    expect((await post('/hono/signed', signed('w1', body), body)).status).toBe(200)
    expect((await post('/core/signed', signed('w2', body), body)).status).toBe(202)
    const tampered = await post('/hono/signed', signed('w3', body), `${body} `)
    expect([tampered.status, tampered.body.code]).toEqual([401, 'invalid_signature'])
  })

  test('a bearer token', async () => {
    const ok = await post('/hono/bearer', { authorization: `Bearer ${env.BEARER_TOKEN}`, 'x-delivery-id': 'w4' }, body)
    expect(ok.status).toBe(202)
    const wrong = await post('/hono/bearer', { authorization: 'Bearer nope', 'x-delivery-id': 'w5' }, body)
    expect([wrong.status, wrong.body.code]).toEqual([401, 'invalid_token'])
  })

  test('a JWT', async () => {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('sender')
      .setAudience('receiver')
      .setExpirationTime('2m')
      .sign(new TextEncoder().encode(env.JWT_SECRET))
    expect((await post('/hono/jwt', { authorization: `Bearer ${token}`, 'x-delivery-id': 'w6' }, body)).status).toBe(
      202,
    )
    const forged = `${token.slice(0, -2)}xx`
    expect((await post('/hono/jwt', { authorization: `Bearer ${forged}`, 'x-delivery-id': 'w7' }, body)).status).toBe(
      401,
    )
  })

  test('events were enqueued inside the worker, which has no Node process', async () => {
    const response = await mf.dispatchFetch('http://worker.test/enqueued')
    const state = (await response.json()) as { ids: string[]; node: string }
    expect(state.ids).toEqual(['w1', 'w2', 'w4', 'w6'])
    expect(state.node).toBe('undefined')
  })
})
