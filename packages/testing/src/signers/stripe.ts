import { payloadString } from '../body.js'
import { hmac, requireSecret } from '../keys.js'
import type { SignerOutput, SignInput } from '../types.js'

/** Stripe: `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`, the `whsec_` secret used as UTF-8. */
export function signStripe(input: SignInput): SignerOutput {
  const secret = requireSecret(input.options.secret, 'stripe')
  const { timestamp, bytes } = input
  const v1 = hmac('sha256', secret, [`${timestamp}.`, bytes], 'hex')
  const id = payloadString(bytes, 'id')
  return {
    headers: {
      'stripe-signature': `t=${timestamp},v1=${v1}`,
      'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      'cache-control': 'no-cache',
    },
    ...(id === undefined ? {} : { id }),
  }
}
