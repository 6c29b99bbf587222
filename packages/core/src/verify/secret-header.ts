import { sha256 } from '#crypto'
import { WebhookError } from '../errors.js'
import { singleHeader } from '../lib/headers.js'
import { safeEqualBytes } from './constant-time.js'
import type { Keys } from './key-resolver.js'
import { compileKeys, type Keyring, randomBytes } from './keyring.js'
import { nonEmptyString } from './option-checks.js'
import type { VerifyContext, VerifyResult } from './verifier.js'

const encoder = new TextEncoder()

/** A digest of a shared secret, as the platform's `sha256` gives it (Web Crypto's is a promise). */
export type SecretDigest = ReturnType<typeof sha256>

/**
 * The SHA-256 digests of a shared-secret option (static, dated or resolved):
 * a presented secret is compared by digest, so the comparison takes the same
 * time whatever its length. An unknown tenant is checked against a random
 * decoy and refused `invalid_token`.
 *
 * @example
 * ```ts
 * const digests = secretDigests(options.token, 'gitlab', 'token')
 * verify: (ctx) => checkSecretHeader(ctx, 'x-gitlab-token', digests, 'tokens')
 * ```
 */
export function secretDigests(value: Keys<string>, where: string, option: string): Keyring<SecretDigest> {
  return compileKeys(value, {
    where,
    option,
    compile: (secret, label) => sha256(encoder.encode(nonEmptyString(secret, where, label))),
    decoy: () => sha256(randomBytes(32)),
    refusal: 'invalid_token',
  })
}

/** Whether `presented` equals one of `expected`, every one compared (no early exit). */
export async function matchesAnyDigest(presented: Uint8Array, expected: readonly SecretDigest[]): Promise<boolean> {
  let matched = false
  for (const digest of expected) matched = safeEqualBytes(presented, await digest) || matched
  return matched
}

/**
 * A secret sent as the whole value of `header`: 401 `missing_credentials`
 * without it, 401 `invalid_token` when it matches none of the digests.
 */
export async function checkSecretHeader(
  ctx: VerifyContext,
  header: string,
  digests: Keyring<SecretDigest>,
  noun: string,
): Promise<VerifyResult> {
  const value = singleHeader(ctx.headers, header)
  if (value === undefined || value === '') throw new WebhookError('missing_credentials', `missing ${header} header`)
  const presented = await sha256(encoder.encode(value))
  return await digests.use(ctx, async (expected) => {
    if (!(await matchesAnyDigest(presented, expected))) {
      throw new WebhookError('invalid_token', `${header} matches none of the configured ${noun}`)
    }
    return {}
  })
}
