import { expect, test, vi } from 'vitest'
import { makeSecret, signedHeaders } from '../../test-support/sign.js'
import { createGuard } from '../guard.js'
import { standardWebhooks } from './standard-webhooks.js'

// A diagnosis that throws, as one did on a body nested too deep for JSON.stringify.
vi.mock('./signature-diagnosis.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('./signature-diagnosis.js')>()),
  diagnoseSignature: async () => {
    throw new RangeError('Maximum call stack size exceeded')
  },
}))

test('a diagnosis that throws never changes the answer: 401 invalid_signature, logged without a cause', async () => {
  const details: string[] = []
  const guard = createGuard({
    verify: [standardWebhooks({ secret: makeSecret().whsec })],
    enqueue: () => {},
    logger: {
      info() {},
      // The first refusal of a code carries its detail on the warn line.
      warn: (record) => details.push(String((record as { detail?: string }).detail)),
      error() {},
      debug() {},
    },
  })
  const headers = signedHeaders(makeSecret().key, { id: 'msg_diag', body: '{}' })
  const verdict = await guard.process({ method: 'POST', headers, body: '{}' })
  expect([verdict.status, verdict.code]).toEqual([401, 'invalid_signature'])
  expect(details).toEqual([expect.stringMatching(/no v1 signature among 1 entries matched \(no diagnosis\)/)])
})
