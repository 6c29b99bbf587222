import { createHmac, generateKeyPairSync, sign } from 'node:crypto'
import { standardWebhooks, type VerifyContext } from '@hookguard/core'
import fc from 'fast-check'
import { adversarialTexts, anyText, mutationsOf } from '../arbitraries.js'
import { expectDecision, type FuzzTarget, outcome } from '../fuzz-target.js'

const nowSeconds = 1_700_000_000
const id = 'msg_fuzz'
const body = new TextEncoder().encode('{"type":"fuzz"}')
const key = Buffer.from('hookguard fuzz secret, 32 bytes.')
const signedText = Buffer.concat([Buffer.from(`${id}.${nowSeconds}.`), body])
const validV1 = `v1,${createHmac('sha256', key).update(signedText).digest('base64')}`
const keyPair = generateKeyPairSync('ed25519')
const rawPublicKey = Buffer.from(keyPair.publicKey.export({ format: 'jwk' }).x as string, 'base64url')
const validV1a = `v1a,${sign(null, signedText, keyPair.privateKey).toString('base64')}`

/**
 * Signature entries that pass: the whole entry, exactly, among the first 16 non-empty ones. With public keys, a
 * request buys at most `ed25519Checks` Ed25519 checks: each well-formed `v1a` entry (86 base64 characters and `==`,
 * canonical) spends one, and one past the budget is not checked (the hardening's cap against forged lists).
 */
function shouldAccept(header: string, valid: readonly string[], ed25519Checks: number): boolean {
  const entries = header
    .replaceAll(', ', ' ')
    .split(' ')
    .filter((entry) => entry !== '')
    .slice(0, 16)
  let checksLeft = ed25519Checks
  for (const entry of entries) {
    if (entry.startsWith('v1a,') && wellFormedEd25519(entry.slice(4))) {
      if (checksLeft === 0) continue
      checksLeft -= 1
    }
    if (valid.includes(entry)) return true
  }
  return false
}

function wellFormedEd25519(value: string): boolean {
  return /^[A-Za-z0-9+/]{86}==$/.test(value) && Buffer.from(value, 'base64').toString('base64') === value
}

function context(header: string): VerifyContext {
  return {
    method: 'POST',
    headers: { 'webhook-id': id, 'webhook-timestamp': String(nowSeconds), 'webhook-signature': header },
    body,
    params: {},
    tls: undefined,
    nowMs: nowSeconds * 1000,
    toleranceSeconds: 300,
  }
}

const junkEntry = fc.oneof(
  fc.stringMatching(/^v1,[A-Za-z0-9+/]{43}=$/),
  fc.stringMatching(/^v1a,[A-Za-z0-9+/]{86}==$/),
  fc.stringMatching(/^[vV][0-9a]{0,2}[,=]?[A-Za-z0-9+/=,]{0,50}$/),
  anyText(20).filter((entry) => !entry.includes(' ')),
)

/** Lists of junk with valid entries spliced in, near misses of valid entries, and anything at all. */
function signatureHeaders(valid: readonly string[]): fc.Arbitrary<string> {
  const spliced = fc
    .tuple(
      fc.array(junkEntry, { maxLength: 24 }),
      fc.constantFrom(...valid),
      fc.nat(),
      fc.constantFrom(' ', '  ', ', '),
    )
    .map(([junk, entry, at, joiner]) => {
      const entries = [...junk]
      entries.splice(at % (junk.length + 1), 0, entry)
      return entries.join(joiner)
    })
  return fc.oneof(spliced, mutationsOf(fc.constantFrom(...valid)), mutationsOf(spliced), anyText(200))
}

function signatureTarget(
  name: string,
  options: Parameters<typeof standardWebhooks>[0],
  valid: string[],
  ed25519Checks = Number.POSITIVE_INFINITY,
): FuzzTarget<string> {
  const verifier = standardWebhooks(options)
  return {
    name,
    input: signatureHeaders(valid),
    async run(header) {
      const result = await outcome('request', () => verifier.verify(context(header)))
      expectDecision(result.accepted, shouldAccept(header, valid, ed25519Checks), header)
    },
    adversarial: adversarialTexts(
      ['v1,', 'v1a,', `${validV1} `, 'v1,AAAA '],
      [`v1,${'A'.repeat(43)}= `, 'v1, ', ' v1,='],
    ),
  }
}

/** The symmetric `v1` list (the hot path). */
export const signatureListTarget = signatureTarget(
  'signature list (v1)',
  { secret: `whsec_${key.toString('base64')}` },
  [validV1],
)

/** The asymmetric path, where `v1a` entries are Ed25519 signatures and `v1` ones HMACs. */
export const signatureListV1aTarget = signatureTarget(
  'signature list (v1a + v1)',
  { secret: `whsec_${key.toString('base64')}`, publicKey: `whpk_${rawPublicKey.toString('base64')}` },
  [validV1, validV1a],
  // One public key: two Ed25519 checks a request.
  2,
)
