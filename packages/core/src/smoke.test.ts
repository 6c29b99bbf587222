import { createHmac } from 'node:crypto'
import { expect, test } from 'vitest'
import { createGuard, standardWebhooks } from './index.js'

test('smoke', async () => {
  const secret = Buffer.from('0123456789abcdef0123456789abcdef')
  const guard = createGuard({
    verify: [standardWebhooks({ secret: `whsec_${secret.toString('base64')}` })],
    enqueue: () => {},
  })
  const ts = String(Math.floor(Date.now() / 1000))
  const body = '{"type":"a"}'
  const sig = createHmac('sha256', secret).update(`msg_1.${ts}.${body}`).digest('base64')
  const res = await guard.handle(
    new Request('http://x/hooks', {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'msg_1',
        'webhook-timestamp': ts,
        'webhook-signature': `v1,${sig}`,
      },
    }),
  )
  expect(res.status).toBe(202)
})
