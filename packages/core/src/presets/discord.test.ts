import { generateKeyPairSync, sign } from 'node:crypto'
import { verifyKey } from 'discord-interactions'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { expectTenantKeys, tenantGuard, tenantNowSeconds } from '../../test-support/tenant-keys.js'
import { createGuard } from '../guard.js'
import { discord } from './discord.js'

const { publicKey, privateKey } = generateKeyPairSync('ed25519')
// As the Developer Portal shows it: the raw 32-byte key, hex (the last 32 bytes of its DER SubjectPublicKeyInfo).
const shownKey = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex')
const other = generateKeyPairSync('ed25519')
const otherKey = other.publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex')

/** What Discord sends: the hex Ed25519 signature of the timestamp followed by the raw body. */
const signOf = (timestamp: string, body: string, key = privateKey) =>
  sign(null, Buffer.from(timestamp + body), key).toString('hex')

async function ours(body: string, signature: string, timestamp: string, key = shownKey) {
  const guard = createGuard({ verify: [discord({ publicKey: key })], dedupe: false, enqueue: () => {} })
  const response = await guard.handle(
    new Request('http://hooks.test/discord', {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-signature-ed25519': signature,
        'x-signature-timestamp': timestamp,
      },
    }),
  )
  return response.status
}

/** discord-interactions' own check, the one Discord's docs point to. */
const theirs = (body: string, signature: string, timestamp: string, key = shownKey) =>
  verifyKey(body, signature, timestamp, key)

const now = () => String(Math.floor(Date.now() / 1000))
const command = JSON.stringify({ id: '1234567890', type: 2, data: { name: 'ping' } })

describe('discord against discord-interactions verifyKey', () => {
  test('what discord-interactions accepts is accepted (200 for the PING, 202 for the rest), and the rest refused', async () => {
    const timestamp = now()
    const ping = '{"type":1}'
    const cases: [string, string, string, string][] = [
      ['a command', command, signOf(timestamp, command), shownKey],
      ['the PING', ping, signOf(timestamp, ping), shownKey],
      ['a tampered body', `${command} `, signOf(timestamp, command), shownKey],
      ['another timestamp', command, signOf(String(Number(timestamp) - 1), command), shownKey],
      ['another key', command, signOf(timestamp, command, other.privateKey), shownKey],
      ['the right signature checked with another key', command, signOf(timestamp, command), otherKey],
      ['upper-case hex', command, signOf(timestamp, command).toUpperCase(), shownKey],
      ['a truncated signature', command, signOf(timestamp, command).slice(0, 126), shownKey],
    ]
    for (const [name, body, signature, key] of cases) {
      const expected = await theirs(body, signature, timestamp, key)
      const status = await ours(body, signature, timestamp, key)
      expect({ name, accepted: status < 300 }).toEqual({ name, accepted: expected })
      if (!expected) expect({ name, status }).toEqual({ name, status: 401 })
    }
  })

  test('property: for random bodies and one flipped byte, both agree', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ id: fc.stringMatching(/^[0-9]{5,19}$/), name: fc.string({ maxLength: 40 }) }),
        fc.boolean(),
        fc.nat(),
        async (data, tamper, at) => {
          const timestamp = now()
          const body = JSON.stringify({ id: data.id, type: 2, data: { name: data.name } })
          let signature = signOf(timestamp, body)
          if (tamper) {
            const i = at % signature.length
            signature = signature.slice(0, i) + (signature[i] === '0' ? '1' : '0') + signature.slice(i + 1)
          }
          const expected = await theirs(body, signature, timestamp)
          expect(expected).toBe(!tamper)
          expect((await ours(body, signature, timestamp)) < 300).toBe(expected)
        },
      ),
      { numRuns: 60 },
    )
  })
})

describe("discord per tenant (a platform receiving its customers' applications)", () => {
  const newKey = () => {
    const pair = generateKeyPairSync('ed25519')
    return {
      key: pair.publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex'),
      signer: pair.privateKey,
    }
  }
  const timestamp = String(tenantNowSeconds)

  test("a key resolver: the tenant's own key accepted, another's refused, an unknown tenant 401, a failing lookup 503", async () => {
    await expectTenantKeys({
      refusal: 'invalid_signature',
      newKey,
      verifier: (keys) => discord({ publicKey: keys }),
      request: (key, n) => {
        const content = JSON.stringify({ id: `10000${n}`, type: 2, data: { name: 'ping' } })
        const headers = { 'x-signature-ed25519': signOf(timestamp, content, key), 'x-signature-timestamp': timestamp }
        return { headers, body: content }
      },
    })
  })

  test("the PING is answered when signed with the tenant's key; with another tenant's, or for an unknown tenant, 401", async () => {
    const acme = newKey()
    const globex = newKey()
    const keys: Record<string, string> = { acme: acme.key, globex: globex.key }
    const { send, enqueued } = tenantGuard(discord({ publicKey: ({ tenant }) => keys[tenant as string] ?? null }))
    const ping = '{"type":1}'
    const pingBy = (key: typeof acme.signer) => ({
      headers: { 'x-signature-ed25519': signOf(timestamp, ping, key), 'x-signature-timestamp': timestamp },
      body: ping,
    })
    const answered = await send('acme', pingBy(acme.signer))
    expect({ status: answered.status, code: answered.code, body: answered.body }).toEqual({
      status: 200,
      code: 'handshake',
      body: '{"type":1}',
    })
    expect((await send('globex', pingBy(globex.signer))).code).toBe('handshake')
    for (const tenant of ['globex', 'initech']) {
      const refused = await send(tenant, pingBy(acme.signer))
      expect({ status: refused.status, code: refused.code }).toEqual({ status: 401, code: 'invalid_signature' })
    }
    expect(enqueued).toEqual([])
  })
})
