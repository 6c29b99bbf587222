import { WebhookError } from '../errors.js'
import type { HeaderBag } from '../lib/headers.js'
import type { Verifier } from '../verify/verifier.js'

/** Whether the request carries a header by this name with a non-empty value. */
export function carries(headers: HeaderBag, name: string): boolean {
  const value = headers[name]
  return value !== undefined && value.length > 0
}

/** Whether the request carries any of these headers (a loop, not `some`: no closure per request). */
function carriesAny(headers: HeaderBag, names: readonly string[]): boolean {
  for (const name of names) if (carries(headers, name)) return true
  return false
}

const codes = new Set(['missing_credentials', 'missing_signature'])

/**
 * The guard's pre-check, made once from the verifiers that declare
 * `credentialHeaders`: it throws the first such verifier's missing code when
 * the request carries none of that verifier's credential headers. `undefined`
 * when no verifier declares any.
 */
export function compileCredentialCheck(
  verifiers: readonly Verifier[],
): ((headers: HeaderBag, exempt?: Verifier) => void) | undefined {
  const rules = verifiers.flatMap((verifier) => {
    const { credentialHeaders, missingCredentialCode = 'missing_credentials' } = verifier
    if (credentialHeaders === undefined) return []
    const where = `verify: ${verifier.name}`
    if (!Array.isArray(credentialHeaders) || credentialHeaders.some((h) => typeof h !== 'string' || h === '')) {
      throw new TypeError(`${where}.credentialHeaders must list header names`)
    }
    if (!codes.has(missingCredentialCode)) {
      throw new TypeError(`${where}.missingCredentialCode must be 'missing_credentials' or 'missing_signature'`)
    }
    if (credentialHeaders.length === 0) return []
    const names = credentialHeaders.map((h) => h.toLowerCase())
    return [{ verifier, names, code: missingCredentialCode, senderHeaders: verifier.keepHeaders ?? [] }]
  })
  if (rules.length === 0) return undefined

  return function requireCredentials(headers: HeaderBag, exempt?: Verifier): void {
    for (const { verifier, names, code, senderHeaders } of rules) {
      if (verifier === exempt || carriesAny(headers, names)) continue
      const wanted = names.join(' or ')
      // The sender's other headers arrived without the credential: something on the way dropped it.
      const arrived = senderHeaders.find((name) => carries(headers, name))
      throw new WebhookError(
        code,
        arrived
          ? `missing ${wanted} header while ${arrived} arrived: a proxy may strip it, or the sender has no credential for this endpoint`
          : `no ${wanted} header arrived: a proxy may strip custom headers, or the sender uses another scheme`,
      )
    }
  }
}
