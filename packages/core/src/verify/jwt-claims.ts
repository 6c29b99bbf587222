import type { JWTPayload } from 'jose'
import { WebhookError } from '../errors.js'

/** What the claims of a verified token must satisfy: jose's `jwtVerify` rules, fixed at creation. */
export interface ClaimRules {
  /** Claims that must be present, in jose's order of checking: `iss`, `aud`, `iat` (with a max age), then the required ones. */
  present: readonly string[]
  issuer: readonly string[] | undefined
  audience: readonly string[] | undefined
  /** Seconds. */
  clockTolerance: number
  /** Seconds, or undefined for no limit. */
  maxTokenAge: number | undefined
}

/**
 * The failure of the claims against `rules` at `now` (seconds), or undefined.
 * The same checks in the same order as jose's `jwtVerify` (so the same token
 * is `token_expired` or `invalid_token` as it was there), then one jose lacks:
 * `exp`, `nbf` and `iat` are whole seconds. The JSON text `"exp":1e400`
 * parses to `Infinity`, a token that would never expire; such a claim makes
 * the token `invalid_token`, even when it also looks expired.
 */
export function claimsFailure(claims: JWTPayload, rules: ClaimRules, now: number): WebhookError | undefined {
  for (const claim of rules.present) {
    if (!Object.hasOwn(claims, claim)) return invalid(`missing required claim ${claim}`)
  }
  if (rules.issuer !== undefined && !rules.issuer.includes(claims.iss as string)) return invalid('unexpected iss')
  if (rules.audience !== undefined && !audienceMatches(claims.aud, rules.audience)) return invalid('unexpected aud')
  const { iat, nbf, exp } = claims
  if (iat !== undefined && typeof iat !== 'number') return invalid('claim iat must be a number')
  if (nbf !== undefined && typeof nbf !== 'number') return invalid('claim nbf must be a number')
  const tolerance = rules.clockTolerance
  if (nbf !== undefined && nbf > now + tolerance) return invalid('claim nbf is in the future')
  if (exp !== undefined && typeof exp !== 'number') return invalid('claim exp must be a number')
  if (exp !== undefined && exp <= now - tolerance) {
    return badTimeClaim(claims) ?? new WebhookError('token_expired', 'claim exp is in the past')
  }
  if (rules.maxTokenAge !== undefined) {
    const age = now - (iat as number)
    if (age - tolerance > rules.maxTokenAge) {
      return badTimeClaim(claims) ?? new WebhookError('token_expired', 'claim iat is older than maxTokenAgeSeconds')
    }
    if (age < -tolerance) return invalid('claim iat is in the future')
  }
  return badTimeClaim(claims)
}

/** jose's rule: a string `aud` is one of ours; a list holds at least one of ours. */
function audienceMatches(aud: unknown, expected: readonly string[]): boolean {
  if (typeof aud === 'string') return expected.includes(aud)
  return Array.isArray(aud) && expected.some((a) => aud.includes(a))
}

/** A time claim is whole seconds (a safe integer) or the token is `invalid_token`. */
function badTimeClaim(claims: JWTPayload): WebhookError | undefined {
  for (const claim of ['exp', 'nbf', 'iat'] as const) {
    const value = claims[claim]
    if (value !== undefined && !Number.isSafeInteger(value)) {
      return invalid(`claim ${claim} is not a whole number of seconds`)
    }
  }
  return undefined
}

function invalid(detail: string): WebhookError {
  return new WebhookError('invalid_token', detail)
}
