import { requireSecret } from '../keys.js'
import type { SignerOutput, SignInput } from '../types.js'

/** A shared token: `Authorization: Bearer <token>`, or the bare token in a custom header. */
export function signBearer(input: SignInput): SignerOutput {
  const token = requireSecret(input.options.secret, 'bearer')
  const header = (input.options.header ?? 'authorization').toLowerCase()
  return { headers: { [header]: header === 'authorization' ? `Bearer ${token}` : token } }
}
