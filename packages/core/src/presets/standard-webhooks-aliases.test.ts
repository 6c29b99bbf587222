import { randomBytes } from 'node:crypto'
import { Webhook as StandardWebhook } from 'standardwebhooks'
import { Webhook as SvixWebhook } from 'svix'
import { describe, expect, test } from 'vitest'
import { expectTenantKeys, tenantNowSeconds } from '../../test-support/tenant-keys.js'
import { createGuard } from '../guard.js'
import type { WebhookEvent } from '../types.js'
import type { Verifier } from '../verify/verifier.js'
import { clerk } from './clerk.js'
import { liveblocks } from './liveblocks.js'
import { polar } from './polar.js'
import { replicate } from './replicate.js'
import { resend } from './resend.js'
import { supabaseAuthHook } from './supabase.js'

const body = JSON.stringify({ type: 'user.created', data: { id: 'user_29w83sxmDNGwOuEthce5gg56FcC' } })
const whsec = () => `whsec_${randomBytes(24).toString('base64')}`

/**
 * Each alias: the secret as the sender hands it out, the verifier, and how the
 * sender's own library signs (`svix` for senders that deliver through Svix,
 * `standardwebhooks` for the others, with the key their SDK derives).
 */
const aliases: {
  name: string
  headers: 'svix' | 'webhook'
  secret: () => string
  verifier: (secret: string) => Verifier
  /** What the sender's library is given as the secret. */
  librarySecret: (secret: string) => string
}[] = [
  { name: 'clerk', headers: 'svix', secret: whsec, verifier: (s) => clerk({ secret: s }), librarySecret: (s) => s },
  { name: 'resend', headers: 'svix', secret: whsec, verifier: (s) => resend({ secret: s }), librarySecret: (s) => s },
  {
    name: 'replicate',
    headers: 'webhook',
    secret: whsec,
    verifier: (s) => replicate({ secret: s }),
    librarySecret: (s) => s,
  },
  {
    name: 'liveblocks',
    headers: 'webhook',
    secret: whsec,
    verifier: (s) => liveblocks({ secret: s }),
    librarySecret: (s) => s,
  },
  {
    // Supabase's examples strip `v1,whsec_` and hand the base64 to standardwebhooks.
    name: 'supabase-auth-hook',
    headers: 'webhook',
    secret: () => `v1,${whsec()}`,
    verifier: (s) => supabaseAuthHook({ secret: s }),
    librarySecret: (s) => s.replace('v1,whsec_', ''),
  },
  {
    // @polar-sh/sdk's validateEvent: new Webhook(Buffer.from(secret, 'utf-8').toString('base64')).
    name: 'polar',
    headers: 'webhook',
    secret: () => `polar_whs_${randomBytes(24).toString('base64url')}`,
    verifier: (s) => polar({ secret: s }),
    librarySecret: (s) => Buffer.from(s, 'utf-8').toString('base64'),
  },
]

async function deliver(verifier: Verifier, headers: Record<string, string>, payload = body) {
  const events: WebhookEvent[] = []
  const guard = createGuard({ verify: [verifier], enqueue: (event) => void events.push(event) })
  const response = await guard.handle(
    new Request('http://hooks.test/', {
      method: 'POST',
      body: payload,
      headers: { 'content-type': 'application/json', ...headers },
    }),
  )
  return { status: response.status, code: ((await response.json()) as { code: string }).code, events }
}

function signed(alias: (typeof aliases)[number], secret: string, id: string, at: Date, payload = body) {
  const key = alias.librarySecret(secret)
  const signature =
    alias.headers === 'svix'
      ? new SvixWebhook(key).sign(id, at, payload)
      : new StandardWebhook(key).sign(id, at, payload)
  const prefix = alias.headers
  return {
    [`${prefix}-id`]: id,
    [`${prefix}-timestamp`]: String(Math.floor(at.getTime() / 1000)),
    [`${prefix}-signature`]: signature,
  }
}

describe.each(aliases)('$name: Standard Webhooks under the sender name, against its library', (alias) => {
  const secret = alias.secret()

  test('what the library signs is accepted, with the signed id and timestamp', async () => {
    const at = new Date()
    const headers = signed(alias, secret, 'msg_2Lh9KRb0pzN4LePd3XiA', at)
    const key = alias.librarySecret(secret)
    const Library = alias.headers === 'svix' ? SvixWebhook : StandardWebhook
    // standardwebhooks returns the parsed body; svix 2 verifies and returns nothing. A refusal throws in both.
    expect(new Library(key).verify(body, headers)).toEqual(alias.headers === 'svix' ? undefined : JSON.parse(body))
    const { status, events } = await deliver(alias.verifier(secret), headers)
    expect(status).toBe(202)
    expect(events[0]).toMatchObject({
      id: 'msg_2Lh9KRb0pzN4LePd3XiA',
      type: 'user.created',
      timestamp: Math.floor(at.getTime() / 1000),
      auth: [{ verifier: alias.name }],
    })
  })

  test('tampered body, another secret, a stale timestamp', async () => {
    const verifier = alias.verifier(secret)
    const now = new Date()
    const headers = signed(alias, secret, 'msg_t', now)
    expect(await deliver(verifier, headers, body.replace('user.created', 'user.deleted'))).toMatchObject({
      status: 401,
      code: 'invalid_signature',
    })
    expect((await deliver(verifier, signed(alias, alias.secret(), 'msg_o', now))).code).toBe('invalid_signature')
    const stale = signed(alias, secret, 'msg_s', new Date(now.getTime() - 301_000))
    expect((await deliver(verifier, stale)).code).toBe('timestamp_too_old')
  })
})

describe.each(aliases.filter((alias) => alias.name === 'polar' || alias.name === 'supabase-auth-hook'))(
  '$name per tenant',
  (alias) => {
    test("a key resolver: the tenant's own secret accepted, another's refused, an unknown tenant 401, a failing lookup 503", async () => {
      await expectTenantKeys({
        refusal: 'invalid_signature',
        newKey: () => {
          // The secret as the sender shows it, rewritten (as a static one is) once per lookup.
          const secret = alias.secret()
          return { key: secret, signer: secret }
        },
        verifier: (keys) => (alias.name === 'polar' ? polar({ secret: keys }) : supabaseAuthHook({ secret: keys })),
        request: (secret, n) => ({
          headers: signed(alias, secret, `msg_${n}`, new Date(tenantNowSeconds * 1000)),
          body,
        }),
      })
    })
  },
)

describe('alias options', () => {
  test('bad options fail at creation, named by the preset', () => {
    expect(() => clerk({})).toThrow(/^clerk: /)
    expect(() => resend({ secret: 'whsec_not base64!' })).toThrow(/^resend: secret\[0\]/)
    expect(() => replicate({ secret: [] })).toThrow(/^replicate: secret/)
    expect(() => liveblocks({ secret: '' })).toThrow(/^liveblocks: secret\[0\]/)
    expect(() => polar({ secret: '' })).toThrow('polar: secret[0] must be a non-empty string')
    expect(() => polar(undefined as never)).toThrow('polar needs an options object')
    expect(() => supabaseAuthHook({ secret: 'v1,whsec_%%%' })).toThrow(/^supabaseAuthHook: secret\[0\]/)
    expect(() => supabaseAuthHook({ secret: 'v1,whsec_AAAA', toleranceSeconds: 0 })).toThrow(
      'supabaseAuthHook: toleranceSeconds must be a positive number',
    )
  })
})
