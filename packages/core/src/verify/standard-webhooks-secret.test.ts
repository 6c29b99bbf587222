import { randomBytes } from 'node:crypto'
import { Webhook as StandardWebhook } from 'standardwebhooks'
import { Webhook as SvixWebhook } from 'svix'
import { describe, expect, test } from 'vitest'
import { createGuard } from '../guard.js'
import { standardWebhooks } from './standard-webhooks.js'

const body = JSON.stringify({ type: 'user.created', data: { id: 'u_1' } })

async function status(secret: string, headers: Record<string, string>) {
  const guard = createGuard({ verify: [standardWebhooks({ secret })], enqueue: () => {} })
  const response = await guard.handle(new Request('http://hooks.test/', { method: 'POST', body, headers }))
  return response.status
}

describe('standardWebhooks: secrets written without base64 padding', () => {
  // 32 bytes encode to 43 characters and one `=`; 31 bytes to 42 and `==`.
  test.each([32, 31])(
    'a %i-byte key, unpadded: accepted, as the svix and standardwebhooks packages accept it',
    async (size) => {
      const key = randomBytes(size).toString('base64')
      expect(key.endsWith('=')).toBe(true)
      const unpadded = `whsec_${key.replace(/=+$/, '')}`
      const id = 'msg_unpadded'
      const at = new Date()
      const svixSignature = new SvixWebhook(unpadded).sign(id, at, body)
      const svixHeaders = {
        'svix-id': id,
        'svix-timestamp': String(Math.floor(at.getTime() / 1000)),
        'svix-signature': svixSignature,
      }
      expect(await status(unpadded, svixHeaders)).toBe(202)
      const reference = new StandardWebhook(unpadded).sign(id, at, body)
      expect(reference).toBe(svixSignature)
      const webhookHeaders = {
        'webhook-id': id,
        'webhook-timestamp': svixHeaders['svix-timestamp'],
        'webhook-signature': reference,
      }
      // The padded spelling is the same key.
      expect(await status(`whsec_${key}`, webhookHeaders)).toBe(202)
      expect(await status(unpadded, webhookHeaders)).toBe(202)
    },
  )

  test('still refused: characters outside base64, a length no base64 has, an empty key', () => {
    for (const secret of ['whsec_not base64!', 'whsec_AAAAA', 'whsec_A', 'whsec_AA=A', 'whsec_']) {
      expect(() => standardWebhooks({ secret }), secret).toThrow(TypeError)
    }
  })
})
