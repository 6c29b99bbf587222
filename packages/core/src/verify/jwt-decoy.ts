import { decoyPublicKeys } from './decoy-keys.js'
import { type KeySource, publicKeySource } from './jwt-keys.js'

/** The decoy key of each asymmetric JWS algorithm's key type. */
function decoyPem(alg: string): string {
  if (alg === 'ES256') return decoyPublicKeys.p256
  if (alg === 'ES384') return decoyPublicKeys.p384
  if (alg === 'ES512') return decoyPublicKeys.p521
  if (alg === 'EdDSA' || alg === 'Ed25519') return decoyPublicKeys.ed25519
  return decoyPublicKeys.rsa
}

/**
 * The key an unknown tenant's token is checked with: a decoy public key of the
 * type its `alg` needs (see {@link decoyPublicKeys}), so the check costs what a
 * known tenant's does; the request is refused whatever it says.
 */
export function jwtDecoySource(algorithms: readonly string[]): KeySource {
  const byAlg = new Map(algorithms.map((alg) => [alg, publicKeySource(decoyPem(alg), [alg], 'decoy')] as const))
  const first = byAlg.get(algorithms[0] as string) as KeySource
  return (header) => (byAlg.get(header.alg as string) ?? first)(header)
}
