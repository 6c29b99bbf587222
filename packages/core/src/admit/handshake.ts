import type { WebhookRequest } from '../types.js'
import { optionError } from '../verify/option-checks.js'
import type { Handshake, Verifier } from '../verify/verifier.js'

/** A verifier's handshake, with the methods it is admitted on, compiled once per guard. */
export interface SenderHandshake {
  verifier: Verifier
  handshake: Handshake
  methods: ReadonlySet<string>
}

/** Every handshake the verifiers declare, in order; a malformed one is a `TypeError` naming the verifier. */
export function compileHandshakes(verifiers: readonly Verifier[]): readonly SenderHandshake[] {
  return verifiers.flatMap((verifier) =>
    (verifier.handshakes ?? []).map((handshake, i) => {
      const where = `verify: ${verifier.name}`
      const methods = handshake.methods ?? ['POST']
      if (!Array.isArray(methods) || methods.length === 0 || methods.some((m) => typeof m !== 'string' || m === '')) {
        throw optionError(where, `handshakes[${i}].methods`, 'a non-empty list of HTTP method names')
      }
      if (typeof handshake.mayBe !== 'function' || typeof handshake.answer !== 'function') {
        throw optionError(where, `handshakes[${i}]`, 'an object with mayBe and answer functions')
      }
      return { verifier, handshake, methods: new Set(methods.map((m) => m.toUpperCase())) }
    }),
  )
}

/** The first handshake this request may be: its method is one the handshake uses, and its cheap look says so. */
export function findHandshake(
  request: WebhookRequest,
  method: string,
  handshakes: readonly SenderHandshake[],
): SenderHandshake | undefined {
  return handshakes.find((h) => h.methods.has(method) && h.handshake.mayBe(request))
}
