import type { KeyObject } from 'node:crypto'

/** What an asymmetric algorithm signs with: a description for the error, and the check. */
interface KeyKind {
  needs: string
  fits(key: KeyObject): boolean
}

/** Node's names for the JOSE curves. */
const joseCurves: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' }
const ecAlgorithms: Record<string, string> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' }
const hmacAlgorithms = ['HS256', 'HS384', 'HS512']

const rsa: KeyKind = { needs: 'an RSA key', fits: (key) => key.asymmetricKeyType === 'rsa' }
const ed25519: KeyKind = { needs: 'an Ed25519 key', fits: (key) => key.asymmetricKeyType === 'ed25519' }
const ec = (curve: string): KeyKind => ({ needs: `an EC ${curve} key`, fits: (key) => curveOf(key) === curve })

const keyKinds: Record<string, KeyKind> = {
  RS256: rsa,
  RS384: rsa,
  RS512: rsa,
  PS256: rsa,
  PS384: rsa,
  PS512: rsa,
  ES256: ec('P-256'),
  ES384: ec('P-384'),
  ES512: ec('P-521'),
  EdDSA: ed25519,
  Ed25519: ed25519,
}

function curveOf(key: KeyObject): string | undefined {
  return key.asymmetricKeyType === 'ec' ? joseCurves[key.asymmetricKeyDetails?.namedCurve ?? ''] : undefined
}

function describeKey(key: KeyObject): string {
  const namedCurve = key.asymmetricKeyDetails?.namedCurve
  const curve = key.asymmetricKeyType === 'ec' ? ` ${curveOf(key) ?? namedCurve}` : ''
  return `${key.asymmetricKeyType ?? key.type}${curve}`
}

/** The usual algorithm for a private key's type: RS256, ES256/384/512 by curve, EdDSA. */
export function algorithmFor(key: KeyObject, name: string): string {
  if (key.asymmetricKeyType === 'rsa') return 'RS256'
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA'
  const alg = ecAlgorithms[curveOf(key) ?? '']
  if (alg !== undefined) return alg
  throw new TypeError(`${name}: privateKey is a ${describeKey(key)} key: use an RSA, EC (P-256/384/521) or Ed25519 key`)
}

/**
 * Checks that the key signs `alg` (a `TypeError` naming `secret`, `privateKey`
 * or `algorithm` if not), so a mismatch is the caller's option error rather
 * than one of jose's own.
 */
export function checkSigningKey(alg: string, key: Uint8Array | KeyObject, name: string): void {
  if (hmacAlgorithms.includes(alg)) {
    if (!(key instanceof Uint8Array))
      throw new TypeError(`${name}: algorithm ${alg} signs with a secret, not privateKey`)
    return
  }
  const kind = keyKinds[alg]
  if (kind === undefined) {
    const known = [...hmacAlgorithms, ...Object.keys(keyKinds)].join(', ')
    throw new TypeError(`${name}: algorithm ${String(alg).slice(0, 16)} is not one of ${known}`)
  }
  if (key instanceof Uint8Array)
    throw new TypeError(`${name}: algorithm ${alg} needs privateKey (${kind.needs}), not secret`)
  if (!kind.fits(key))
    throw new TypeError(`${name}: privateKey must be ${kind.needs} for ${alg} (this one is ${describeKey(key)})`)
}
