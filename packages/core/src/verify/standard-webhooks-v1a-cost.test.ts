import { generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto'
import { beforeEach, describe, expect, test, vi } from 'vitest'
import { createGuard } from '../guard.js'
import type { Ed25519PublicKey } from './crypto/port.js'
import { standardWebhooks } from './standard-webhooks.js'

/** Every Ed25519 check the verifier makes, with the message it was given. */
const checks: (readonly (string | Uint8Array)[])[] = []

// The real keys, wrapped to count their checks.
vi.mock('#crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof import('#crypto')>()
  return {
    ...crypto,
    ed25519PublicKey(raw: Uint8Array): Ed25519PublicKey {
      const key = crypto.ed25519PublicKey(raw)
      return {
        verify(parts, signature) {
          checks.push(parts)
          return key.verify(parts, signature)
        },
      }
    },
  }
})

const body = JSON.stringify({ type: 'invoice.paid', data: 'x'.repeat(4096) })
const now = 1_700_000_000

function ed25519() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url')
  return { whpk: `whpk_${raw.toString('base64')}`, privateKey }
}

/** A `v1a` entry made with node:crypto, independently of the code under test. */
function signV1a(privateKey: KeyObject, id: string): string {
  return `v1a,${sign(null, Buffer.from(`${id}.${now}.${body}`), privateKey).toString('base64')}`
}

/** A well-formed `v1a` entry that verifies under no key. */
const forgedEntry = () => `v1a,${randomBytes(64).toString('base64')}`

async function send(publicKey: string | string[], id: string, entries: string[]) {
  const guard = createGuard({
    verify: [standardWebhooks({ publicKey })],
    enqueue: () => {},
    dedupe: false,
    now: () => now * 1000,
  })
  const headers = { 'webhook-id': id, 'webhook-timestamp': String(now), 'webhook-signature': entries.join(' ') }
  const verdict = await guard.process({ method: 'POST', headers, body })
  return { status: verdict.status, code: verdict.code }
}

describe('standardWebhooks v1a: what a forged request costs', () => {
  const sender = ed25519()
  const other = ed25519()
  beforeEach(() => {
    checks.length = 0
  })

  test('16 forged entries under one key cost 2 checks, not 16', async () => {
    const forged = Array.from({ length: 16 }, forgedEntry)
    expect(await send(sender.whpk, 'msg_f1', forged)).toEqual({ status: 401, code: 'invalid_signature' })
    expect(checks).toHaveLength(2)
  })

  test('16 forged entries under two keys cost 4 checks, not 32', async () => {
    const forged = Array.from({ length: 16 }, forgedEntry)
    expect(await send([other.whpk, sender.whpk], 'msg_f2', forged)).toEqual({
      status: 401,
      code: 'invalid_signature',
    })
    expect(checks).toHaveLength(4)
  })

  test('every check gets the signed prefix and the body as it was read, never a copy of the body', async () => {
    await send([other.whpk, sender.whpk], 'msg_f3', [forgedEntry(), forgedEntry()])
    expect(checks).toHaveLength(4)
    const read = checks[0]?.[1]
    expect(read).toBeInstanceOf(Uint8Array)
    for (const parts of checks) {
      expect(parts).toHaveLength(2)
      expect(parts[0]).toBe(`msg_f3.${now}.`)
      expect(parts[1]).toBe(read)
    }
    expect(new TextDecoder().decode(read as Uint8Array)).toBe(body)
  })

  test('a valid entry within the cap passes; one past the cap is refused', async () => {
    const valid = signV1a(sender.privateKey, 'msg_v1')
    expect(await send(sender.whpk, 'msg_v1', [forgedEntry(), valid])).toEqual({ status: 202, code: 'accepted' })
    // A key rotation: the sender signs with both keys, the receiver knows both.
    const rotated = [signV1a(other.privateKey, 'msg_v2'), signV1a(sender.privateKey, 'msg_v2')]
    expect((await send([sender.whpk, other.whpk], 'msg_v2', rotated)).status).toBe(202)
    checks.length = 0
    const late = signV1a(sender.privateKey, 'msg_v3')
    expect(await send(sender.whpk, 'msg_v3', [forgedEntry(), forgedEntry(), late])).toEqual({
      status: 401,
      code: 'invalid_signature',
    })
    expect(checks).toHaveLength(2)
  })

  test('malformed entries cost no check at all', async () => {
    const malformed = Array.from({ length: 16 }, (_, i) => `v1a,${'A'.repeat(i)}!`)
    expect((await send(sender.whpk, 'msg_m', malformed)).code).toBe('invalid_signature')
    expect(checks).toHaveLength(0)
  })
})
