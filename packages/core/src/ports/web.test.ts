import { describe, expect, test } from 'vitest'
import { makeSecret, signedHeaders } from '../../test-support/sign.js'
import { createGuard } from '../guard.js'
import { standardWebhooks } from '../verify/standard-webhooks.js'
import { fromWebRequest } from './web.js'

const secret = makeSecret()
const body = JSON.stringify({ type: 'scan.completed' })

function signedRequest(): Request {
  const headers = signedHeaders(secret.key, { id: 'msg_web_used', body })
  return new Request('http://localhost/hooks', { method: 'POST', headers, body })
}

describe('fromWebRequest', () => {
  test('the raw query string, undecoded; empty when there is none', () => {
    const query = 'validationToken=Validation%3A+Testing'
    expect(fromWebRequest(new Request(`http://localhost/hooks?${query}`)).query).toBe(query)
    expect(fromWebRequest(new Request('http://localhost/hooks')).query).toBe('')
  })

  test('an unread body stays the stream, with nothing said against it', () => {
    const request = signedRequest()
    const neutral = fromWebRequest(request)
    expect(neutral.body).toBe(request.body)
    expect(neutral.bodyUnavailable).toBeUndefined()
  })

  test('guard.handle on a Request whose body was read: 500 raw_body_unavailable, the fix in the log', async () => {
    const errors: Record<string, unknown>[] = []
    const guard = createGuard({
      verify: [standardWebhooks({ secret: secret.whsec })],
      enqueue: () => {},
      logger: { info() {}, warn() {}, error: (record) => errors.push(record as Record<string, unknown>) },
    })
    const request = signedRequest()
    await request.text()
    const response = await guard.handle(request)
    expect(response.status).toBe(500)
    expect(await response.json()).toMatchObject({ status: 500, code: 'raw_body_unavailable' })
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ code: 'raw_body_unavailable' })
    expect(String(errors[0]?.detail)).toContain('request.clone()')
  })
})
