import { base64Encode, sha256 } from '#crypto'
import { andThen } from '../lib/maybe-promise.js'
import type { Verifier, VerifyContext, VerifyResult } from '../verify/verifier.js'

/**
 * `verifier`, whose passing results carry the id `body-sha256:` and the
 * base64 SHA-256 of the raw body: for a sender that signs its body but sends
 * no event id (Meta, Zoom). A retry is the same body, so it is a duplicate.
 */
export function withBodyDigestId(verifier: Verifier): Verifier {
  return {
    ...verifier,
    verify: (ctx: VerifyContext) =>
      andThen(verifier.verify(ctx), (result) =>
        andThen(sha256(ctx.body), (digest): VerifyResult => ({ ...result, id: `body-sha256:${base64Encode(digest)}` })),
      ),
  }
}
