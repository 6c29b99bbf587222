// A preset's key resolver, checked the same way for every preset (its own test file calls it, signing for itself).
import { expect } from 'vitest'
import type { GuardOptions } from '../src/options.js'
import type { WebhookRequest } from '../src/types.js'
import type { KeyContext } from '../src/verify/key-resolver.js'
import type { Verifier } from '../src/verify/verifier.js'
import { tenantGuard as keysGuard, tenantNowSeconds } from './tenant-keys.js'

export { tenantNowSeconds }

/** Two tenants' secrets, as the resolver's table holds them. */
export const tenantSecrets = {
  acme: 'acme tenant secret 0123456789abcdef',
  globex: 'globex tenant secret 0123456789abcdef',
} as const

/** A preset over a key resolver, and a request it accepts when signed with the tenant's secret. */
export interface TenantPreset {
  /** The preset, its key option set to `resolve`. */
  verifier(resolve: (ctx: KeyContext) => string[] | null): Verifier
  /** A request to `/hooks/<tenant>` (`params` are added), signed with (or carrying) `secret` as the sender does. */
  request(secret: string, tenant: string): WebhookRequest | Promise<WebhookRequest>
  /** The code a request made with another key is refused with. */
  refusal: 'invalid_signature' | 'invalid_token'
  /** More guard options (`trustProxy`, say). */
  guard?: Partial<GuardOptions>
}

/** A resolver over {@link tenantSecrets} that records the tenants it was asked for. */
export function countingResolver() {
  const lookups: (string | undefined)[] = []
  const resolve = (ctx: KeyContext): string[] | null => {
    lookups.push(ctx.tenant)
    expect(ctx).not.toHaveProperty('body')
    const tenant = ctx.tenant ?? ''
    return Object.hasOwn(tenantSecrets, tenant) ? [tenantSecrets[tenant as keyof typeof tenantSecrets]] : null
  }
  return { lookups, resolve }
}

/** A guard naming the tenant by the path parameter `tenant`, recording what it enqueues (no dedupe: requests repeat). */
export function tenantGuard(preset: TenantPreset, verifier: Verifier) {
  const { guard, enqueued } = keysGuard(verifier, preset.guard)
  const send = async (secret: string, tenant: string) =>
    guard.process({ ...(await preset.request(secret, tenant)), params: { tenant } })
  return { guard, enqueued, send }
}

/**
 * A tenant's own secret is accepted, another tenant's refused, an unknown
 * tenant refused with the same code after one lookup (then remembered), and a
 * resolver that throws is 503 `keys_unavailable` with `Retry-After`.
 */
export async function expectTenantKeys(preset: TenantPreset): Promise<void> {
  const { acme, globex } = tenantSecrets
  const { lookups, resolve } = countingResolver()
  const { enqueued, send } = tenantGuard(preset, preset.verifier(resolve))
  expect((await send(acme, 'acme')).code).toBe('accepted')
  expect((await send(acme, 'globex')).code).toBe(preset.refusal)
  expect((await send(globex, 'globex')).code).toBe('accepted')
  for (let i = 0; i < 2; i++) expect((await send(acme, 'initech')).code).toBe(preset.refusal)
  // One lookup per tenant, however many ways the preset checks a request: the unknown one too (then cached).
  expect(lookups).toEqual(['acme', 'globex', 'initech'])
  expect(enqueued.map((event) => event.tenant)).toEqual(['acme', 'globex'])

  const failing = tenantGuard(
    preset,
    preset.verifier(() => {
      throw new Error('database down')
    }),
  )
  const down = await failing.send(acme, 'acme')
  expect({ status: down.status, code: down.code }).toEqual({ status: 503, code: 'keys_unavailable' })
  expect(down.headers['retry-after']).toMatch(/^[1-9][0-9]*$/)
  expect(down.body).not.toContain('database down')
  expect(failing.enqueued).toEqual([])
}
