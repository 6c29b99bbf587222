import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto'
import { discord, jwt, type KeyContext } from '@hookguard/core'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { expect } from 'vitest'
import { type JwksServer, startJwksServer } from '../../packages/core/test-support/jwks-server.js'
import { send } from '../http-client.js'
import { type ConformanceCase, expectVerdict, nowSeconds } from './support.js'

/** A resolver over a table that counts its lookups; the guard names the tenant by `/hooks/:status`. */
function counted<K>(table: Record<string, K>) {
  const lookups: (string | undefined)[] = []
  const resolve = (context: KeyContext) => {
    lookups.push(context.tenant)
    return Object.hasOwn(table, context.tenant ?? '') ? (table[context.tenant as string] as K) : null
  }
  return { lookups, resolve }
}

const byPath = { tenant: { param: 'status' } } as const

/** A Discord application's key pair, its public key as the Developer Portal shows it (hex of the raw 32 bytes). */
function discordApplication() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  return { hex: publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex'), privateKey }
}

function discordRequest(body: string, privateKey: KeyObject) {
  const timestamp = String(nowSeconds)
  const signature = sign(null, Buffer.from(timestamp + body), privateKey).toString('hex')
  return {
    headers: {
      'content-type': 'application/json',
      'x-signature-ed25519': signature,
      'x-signature-timestamp': timestamp,
    },
    body,
  }
}

/** A token on the guard's clock; every key set names its key `k1`, so the signature decides. */
function tenantToken(privateKey: CryptoKey): Promise<string> {
  return new SignJWT({ iss: 'platform', aud: 'hooks' })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + 300)
    .sign(privateKey)
}

/** A key pair and a local JWKS server that lists its public key. */
async function keySet(): Promise<{ privateKey: CryptoKey; server: JwksServer }> {
  const pair = await generateKeyPair('ES256')
  const server = await startJwksServer([{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' }])
  return { privateKey: pair.privateKey, server }
}

/** Senders whose keys are per tenant beyond the HMAC secrets: a signed handshake, a key-set URL. */
export const tenantSenderCases: readonly ConformanceCase[] = [
  {
    name: "tenants: Discord's PING is answered when signed with the tenant's application key; another tenant's, or an unknown tenant, 401",
    async run(start) {
      const acme = discordApplication()
      const globex = discordApplication()
      const { lookups, resolve } = counted({ acme: acme.hex, globex: globex.hex })
      const server = await start({ ...byPath, verify: [discord({ publicKey: resolve })] })
      const ping = '{"application_id":"1234567890","id":"987654321","token":"aW50ZXJhY3Rpb24","type":1,"version":1}'
      const answered = await send(server.url, { path: '/acme', ...discordRequest(ping, acme.privateKey) })
      expect({ status: answered.status, text: answered.text }).toEqual({ status: 200, text: '{"type":1}' })
      expectVerdict(
        await send(server.url, { path: '/globex', ...discordRequest(ping, acme.privateKey) }),
        401,
        'invalid_signature',
      )
      expectVerdict(
        await send(server.url, { path: '/initech', ...discordRequest(ping, acme.privateKey) }),
        401,
        'invalid_signature',
      )
      const command = JSON.stringify({ id: '111222333', type: 2, data: { name: 'ping' } })
      const accepted = await send(server.url, { path: '/globex', ...discordRequest(command, globex.privateKey) })
      expectVerdict(accepted, 202, 'accepted')
      expect(server.enqueued.map((e) => [e.tenant, e.id])).toEqual([['globex', '111222333']])
      expect(lookups).toEqual(['acme', 'globex', 'initech'])
    },
  },
  {
    name: "tenants: jwt with a key-set URL per tenant checks each tenant's token against its own set, each set fetched once",
    async run(start) {
      const acme = await keySet()
      const globex = await keySet()
      try {
        const { lookups, resolve } = counted({ acme: acme.server.url, globex: globex.server.url })
        const server = await start({
          ...byPath,
          eventId: { payload: 'id' },
          verify: [jwt({ jwksUrl: resolve, algorithms: ['ES256'], issuer: 'platform', audience: 'hooks' })],
        })
        let deliveries = 0
        const deliver = async (tenant: string, privateKey: CryptoKey) =>
          send(server.url, {
            path: `/${tenant}`,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${await tenantToken(privateKey)}` },
            body: JSON.stringify({ id: `evt_${deliveries++}` }),
          })
        expectVerdict(await deliver('acme', acme.privateKey), 202, 'accepted')
        expectVerdict(await deliver('acme', acme.privateKey), 202, 'accepted')
        expectVerdict(await deliver('globex', acme.privateKey), 401, 'invalid_token')
        expectVerdict(await deliver('globex', globex.privateKey), 202, 'accepted')
        expectVerdict(await deliver('initech', acme.privateKey), 401, 'invalid_token')
        expect(server.enqueued.map((e) => e.tenant)).toEqual(['acme', 'acme', 'globex'])
        expect(lookups).toEqual(['acme', 'globex', 'initech'])
        expect({ acme: acme.server.requests, globex: globex.server.requests }).toEqual({ acme: 1, globex: 1 })
      } finally {
        await Promise.all([acme.server.close(), globex.server.close()])
      }
    },
  },
]
