import { describe, expect, test } from 'vitest'
import { makeSecret } from '../../test-support/sign.js'
import { createGuard } from '../guard.js'
import type { GuardOptions } from '../options.js'
import { bearerToken } from '../verify/bearer-token.js'
import { hmacSignature } from '../verify/hmac-signature.js'
import { standardWebhooks } from '../verify/standard-webhooks.js'
import { unsignedEventFields } from './unsigned-event-fields.js'

const secret = makeSecret()
const signed = standardWebhooks({ secret: secret.whsec })

/** The warnings a guard logs at creation. */
function warningsOf(options: Partial<GuardOptions>): { record: object; message: string | undefined }[] {
  const warnings: { record: object; message: string | undefined }[] = []
  createGuard({
    verify: [signed],
    enqueue: () => {},
    logger: { info: () => {}, error: () => {}, warn: (record, message) => void warnings.push({ record, message }) },
    ...options,
  })
  return warnings
}

describe('eventId and eventType read from places no signature covers', () => {
  test('a path parameter or an unsigned header beside a signature verifier: one warning each, at creation', () => {
    const warnings = warningsOf({ eventId: { param: 'id' }, eventType: { header: 'X-Event-Type' } })
    expect(warnings).toEqual([
      { record: { option: 'eventId', source: 'path parameter id' }, message: expect.stringMatching(/^eventId reads/) },
      { record: { option: 'eventType', source: 'header X-Event-Type' }, message: expect.stringMatching(/event\.type/) },
    ])
  })

  test('no warning for the payload, a function, a signed header, or without a signature verifier', () => {
    expect(warningsOf({ eventId: { payload: 'data.id' }, eventType: (ctx) => ctx.params.kind })).toEqual([])
    expect(warningsOf({ eventId: { header: 'webhook-id' } })).toEqual([])
    const acme = hmacSignature({
      name: 'acme',
      secret: 'acme-secret',
      header: 'x-acme-signature',
      algorithm: 'sha256',
      encoding: 'hex',
      signedContent: '{header:x-acme-delivery}.{body}',
    })
    expect(unsignedEventFields({ verify: [acme], eventId: { header: 'X-Acme-Delivery' } })).toEqual([])
    expect(unsignedEventFields({ verify: [acme], eventId: { header: 'x-other' } })).toHaveLength(1)
    expect(unsignedEventFields({ verify: [bearerToken({ tokens: 't0ken' })], eventId: { param: 'id' } })).toEqual([])
  })
})
