import type { Delivery } from '../delivery.js'
import { WebhookError } from '../errors.js'
import { singleHeader } from '../lib/headers.js'
import type { WebhookRequest } from '../types.js'
import { headerName, nonEmptyString, optionError } from '../verify/option-checks.js'

/**
 * Where a request names its tenant: a path parameter (`/hooks/:tenant`), a
 * header, or a claim of a JWT a verifier checked (`jwt`, `googlePubSub`).
 */
export type TenantSource = { param: string } | { header: string } | { claim: string }

/** A tenant source, compiled once per guard. */
export interface TenantNamer {
  /** The tenant a path parameter or header names; 400 `invalid_tenant` when it is missing or not an identifier. */
  fromRequest: ((request: WebhookRequest) => string) | undefined
  /** The JWT claim that names the tenant, read once the verifier that checked it passed. */
  claim: string | undefined
}

/** What a tenant may be: 1 to 128 letters, digits, `.`, `_` or `-`, starting with a letter or digit. */
const tenantPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/

/** `value` as a tenant, or 400 `invalid_tenant`: the name is never looked up (nor logged) unless it is an identifier. */
export function checkTenant(value: unknown, source: string): string {
  if (value === undefined || value === null || value === '') {
    throw new WebhookError('invalid_tenant', `the request names no tenant (${source})`)
  }
  if (typeof value !== 'string' || !tenantPattern.test(value)) {
    throw new WebhookError('invalid_tenant', `the tenant in ${source} is not 1-128 letters, digits, '.', '_' or '-'`)
  }
  return value
}

/** Compiles the guard's `tenant` option; `undefined` when the guard names no tenant. */
export function compileTenantSource(value: unknown, where: string): TenantNamer | undefined {
  if (value === undefined) return undefined
  const source = value as Partial<Record<'param' | 'header' | 'claim', unknown>> | null
  const given =
    source && typeof source === 'object' ? (['param', 'header', 'claim'] as const).filter((k) => k in source) : []
  if (!source || given.length !== 1) throw optionError(where, 'tenant', '{ param }, { header } or { claim }')
  if (given[0] === 'param') {
    const param = nonEmptyString(source.param, where, 'tenant.param')
    const from = `path parameter ${param}`
    return { fromRequest: (request) => checkTenant(request.params?.[param], from), claim: undefined }
  }
  if (given[0] === 'header') {
    const header = headerName(source.header, where, 'tenant.header')
    const from = `header ${header}`
    return { fromRequest: (request) => checkTenant(singleHeader(request.headers, header), from), claim: undefined }
  }
  return { fromRequest: undefined, claim: nonEmptyString(source.claim, where, 'tenant.claim') }
}

/** Names the delivery's tenant from its path or headers, when the guard's source is one of them. */
export function nameTenant(delivery: Delivery, namer: TenantNamer | undefined): void {
  if (namer?.fromRequest) delivery.tenant = namer.fromRequest(delivery.request)
}
