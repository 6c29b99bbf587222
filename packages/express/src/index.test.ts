import { createGuard, type Guard, type GuardOptions, standardWebhooks, type WebhookEvent } from '@hookguard/core'
import type { Unwritten } from '@hookguard/core/adapter'
import express5, { type NextFunction, type Request, type Response } from 'express'
import express4 from 'express4'
import request from 'supertest'
import { describe, expect, test } from 'vitest'
import { makeSecret, signedHeaders } from '../../core/test-support/sign.js'
import { hookguard } from './index.js'

const secret = makeSecret()
const body = JSON.stringify({ type: 'scan.completed', data: { scanId: 'abc' } })

function guardFor(enqueued: WebhookEvent[], options: Partial<GuardOptions> = {}) {
  return createGuard({
    verify: [standardWebhooks({ secret: secret.whsec })],
    enqueue: (event) => {
      enqueued.push(event)
    },
    eventType: { param: 'status' },
    ...options,
  })
}

// Only what is Express's own: its body parsers and its error handler. What every adapter must do (statuses,
// methods, route params, duplicates, repeated headers) runs through Express 5 and 4 in test/conformance.test.ts.
for (const [name, express] of [
  ['Express 5', express5],
  ['Express 4', express4],
] as const) {
  describe(`hookguard on ${name}`, () => {
    test('after express.raw() it uses the raw Buffer', async () => {
      const enqueued: WebhookEvent[] = []
      const app = express()
      app.post('/hooks/:status', express.raw({ type: '*/*' }), hookguard(guardFor(enqueued)))
      const response = await request(app)
        .post('/hooks/DONE')
        .set(signedHeaders(secret.key, { id: 'msg_e3', body }))
        .send(body)
      expect(response.status).toBe(202)
      expect(enqueued[0]?.payload).toEqual(JSON.parse(body))
    })

    test('after express.json() it answers 500 raw_body_unavailable and never re-serializes', async () => {
      const enqueued: WebhookEvent[] = []
      const logged: Record<string, unknown>[] = []
      const logger = { info() {}, warn() {}, error: (record: object) => logged.push(record as Record<string, unknown>) }
      const app = express()
      app.use(express.json())
      app.post('/hooks/:status', hookguard(guardFor(enqueued, { logger })))
      const response = await request(app)
        .post('/hooks/DONE')
        .set(signedHeaders(secret.key, { id: 'msg_e4', body }))
        .send(body)
      expect(response.status).toBe(500)
      expect(JSON.parse(response.text)).toMatchObject({ code: 'raw_body_unavailable' })
      expect(String(logged[0]?.detail)).toContain('express.json()')
      expect(enqueued).toHaveLength(0)
    })

    test("a failing guard goes to the app's error handler, unless the response has started: then it is reported", async () => {
      const failure = new Error('guard failed')
      const reports: Unwritten[] = []
      // A guard that breaks its promise never to reject, to reach the error path.
      const broken = { process: () => Promise.reject(failure), reportUnwritten: (u: Unwritten) => reports.push(u) }
      const handled: unknown[] = []
      const app = express()
      app.post('/answered', (_req: Request, res: Response, next: NextFunction) => {
        res.status(503).send('answered first')
        next()
      })
      app.post(['/answered', '/fresh'], hookguard(broken as unknown as Guard))
      app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
        handled.push(error)
        res.status(500).send('from the error handler')
      })
      const answered = await request(app).post('/answered').send(body)
      expect([answered.status, answered.text]).toEqual([503, 'answered first'])
      await new Promise((resolve) => setImmediate(resolve))
      expect(handled).toEqual([])
      expect(reports).toEqual([{ reason: 'response_started', error: failure }])
      const fresh = await request(app).post('/fresh').send(body)
      expect([fresh.status, fresh.text]).toEqual([500, 'from the error handler'])
      expect(handled).toEqual([failure])
    })
  })
}
