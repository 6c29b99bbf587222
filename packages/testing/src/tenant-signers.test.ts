import {
  createGuard,
  discord,
  gitlab,
  type KeyContext,
  microsoftGraph,
  polar,
  postmark,
  sendgrid,
  supabaseAuthHook,
  type Verifier,
  type WebhookRequest,
} from '@hookguard/core'
import { describe, expect, test } from 'vitest'
import { generateSecret } from './generate-secret.js'
import type { PresetName } from './presets.js'
import { signRequest } from './sign-request.js'
import type { SignedRequest } from './types.js'

/** The neutral request of a signed one, with the last path segment as the `tenant` parameter (as `/hooks/:tenant`). */
function asRequest(signed: SignedRequest): WebhookRequest {
  const path = new URL(signed.url ?? '/hooks', 'http://127.0.0.1').pathname
  const tenant = path.split('/')[2]
  return { method: 'POST', headers: signed.headers, body: signed.body, ...(tenant ? { params: { tenant } } : {}) }
}

/** Each preset whose key option takes a resolver: the verifier over it, and which generated key the receiver holds. */
const presets: {
  preset: PresetName
  verifier: (keys: (context: KeyContext) => string | null) => Verifier
  receiverKey: 'secret' | 'publicKey'
}[] = [
  { preset: 'polar', verifier: (keys) => polar({ secret: keys }), receiverKey: 'secret' },
  { preset: 'supabase-auth-hook', verifier: (keys) => supabaseAuthHook({ secret: keys }), receiverKey: 'secret' },
  { preset: 'sendgrid', verifier: (keys) => sendgrid({ publicKey: keys }), receiverKey: 'publicKey' },
  { preset: 'gitlab', verifier: (keys) => gitlab({ token: keys }), receiverKey: 'secret' },
  { preset: 'postmark', verifier: (keys) => postmark({ username: 'postmark', password: keys }), receiverKey: 'secret' },
  { preset: 'discord', verifier: (keys) => discord({ publicKey: keys }), receiverKey: 'publicKey' },
  { preset: 'microsoft-graph', verifier: (keys) => microsoftGraph({ clientState: keys }), receiverKey: 'secret' },
]

describe.each(presets)('signRequest($preset, { tenant })', ({ preset, verifier, receiverKey }) => {
  test("is accepted as that tenant by a guard resolving the tenant's key; refused as another", async () => {
    const acme = generateSecret(preset)
    const globex = generateSecret(preset)
    const keys: Record<string, string | undefined> = { acme: acme[receiverKey], globex: globex[receiverKey] }
    const guard = createGuard({
      verify: [verifier(({ tenant }) => keys[tenant as string] ?? null)],
      enqueue: () => {},
      tenant: { param: 'tenant' },
      dedupe: false,
    })
    const body = { type: 'ping', id: '1234567890' }
    const url = 'http://127.0.0.1:3000/hooks'
    const signed = await signRequest(preset, { secret: acme.secret, body, tenant: 'acme', url })
    expect(signed.url).toBe(`${url}/acme`)
    const verdict = await guard.process(asRequest(signed))
    expect({ code: verdict.code, tenant: verdict.event?.tenant }).toEqual({ code: 'accepted', tenant: 'acme' })
    const misdirected = await signRequest(preset, { secret: acme.secret, body, tenant: 'globex', url })
    expect((await guard.process(asRequest(misdirected))).status).toBe(401)
  })
})
