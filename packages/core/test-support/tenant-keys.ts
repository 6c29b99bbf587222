import { expect } from 'vitest'
import { createGuard } from '../src/guard.js'
import type { HeaderBag } from '../src/lib/headers.js'
import type { GuardOptions } from '../src/options.js'
import type { Verdict, WebhookEvent } from '../src/types.js'
import type { KeyContext, Keys } from '../src/verify/key-resolver.js'
import type { Verifier } from '../src/verify/verifier.js'

/** The guard's clock in these tests: a fixed second. */
export const tenantNowSeconds = 1_700_000_000

/** A request as a sender sends it: headers, body, and the query when it has one. */
export interface SentRequest {
  headers: HeaderBag
  body: string
  query?: string
}

/** One key-taking verifier (or preset): a fresh key per tenant, the verifier over a resolver, a request signed with a key. */
export interface TenantKeyKind<K, S> {
  /** The code another tenant's key (and an unknown tenant) is refused with: `invalid_signature`, `invalid_token`. */
  refusal: string
  /** A fresh key: what the resolver returns for its tenant, and what signs with it. */
  newKey(): { key: K; signer: S }
  verifier(keys: Keys<K>): Verifier
  /** A delivery signed with (or carrying) the key of `signer`; `n` tells deliveries apart. */
  request(signer: S, n: number): SentRequest | Promise<SentRequest>
}

/** A guard naming the tenant by the path parameter `tenant`, with the verifier, on the fixed clock (and `more` options). */
export function tenantGuard(verifier: Verifier, more: Partial<GuardOptions> = {}) {
  const enqueued: WebhookEvent[] = []
  const guard = createGuard({
    verify: [verifier],
    enqueue: (event) => void enqueued.push(event),
    tenant: { param: 'tenant' },
    dedupe: false,
    now: () => tenantNowSeconds * 1000,
    ...more,
  })
  const send = (tenant: string, sent: SentRequest): Promise<Verdict> =>
    guard.process({
      method: 'POST',
      headers: { 'content-type': 'application/json', ...sent.headers },
      params: { tenant },
      body: sent.body,
      ...(sent.query === undefined ? {} : { query: sent.query }),
    })
  return { guard, enqueued, send }
}

/**
 * The tenant semantics every key-taking verifier shares, checked for one: a
 * tenant's own key is accepted, another tenant's refused, an unknown tenant
 * refused alike (after one lookup, remembered), the resolver never sees the
 * body; a resolver that throws or rejects is 503 `keys_unavailable` with
 * `Retry-After`.
 */
export async function expectTenantKeys<K, S>(kind: TenantKeyKind<K, S>): Promise<void> {
  const acme = kind.newKey()
  const globex = kind.newKey()
  const table: Record<string, K[]> = { acme: [acme.key], globex: [globex.key] }
  const lookups: (string | undefined)[] = []
  const resolve = (context: KeyContext) => {
    lookups.push(context.tenant)
    expect(context).not.toHaveProperty('body')
    return Object.hasOwn(table, context.tenant ?? '') ? (table[context.tenant as string] as K[]) : null
  }
  const { send, enqueued } = tenantGuard(kind.verifier(resolve))
  let n = 0
  const sent = async (signer: S) => kind.request(signer, n++)

  expect((await send('acme', await sent(acme.signer))).code).toBe('accepted')
  const crossed = await send('globex', await sent(acme.signer))
  expect({ status: crossed.status, code: crossed.code }).toEqual({ status: 401, code: kind.refusal })
  expect((await send('globex', await sent(globex.signer))).code).toBe('accepted')
  for (let i = 0; i < 2; i++) {
    const unknown = await send('initech', await sent(acme.signer))
    expect({ status: unknown.status, code: unknown.code }).toEqual({ status: 401, code: kind.refusal })
  }
  // One lookup per tenant; the unknown one is remembered (negative cache) for its second request.
  expect(lookups).toEqual(['acme', 'globex', 'initech'])
  expect(enqueued.map((event) => event.tenant)).toEqual(['acme', 'globex'])

  const failing: Keys<K>[] = [
    () => {
      throw new Error('database down')
    },
    () => Promise.reject(new Error('database down')),
  ]
  for (const keys of failing) {
    const down = tenantGuard(kind.verifier(keys))
    const reply = await down.send('acme', await sent(acme.signer))
    expect({ status: reply.status, code: reply.code }).toEqual({ status: 503, code: 'keys_unavailable' })
    expect(reply.headers['retry-after']).toMatch(/^[1-9][0-9]*$/)
    expect(down.enqueued).toEqual([])
  }
}
