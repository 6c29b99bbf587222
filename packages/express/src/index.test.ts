import {
  createGuard,
  eventBody,
  type Guard,
  type GuardOptions,
  standardWebhooks,
  type WebhookEvent,
} from '@hookguard/core'
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

for (const [name, express] of [
  ['Express 5', express5],
  ['Express 4', express4],
] as const) {
  describe(`hookguard on ${name}`, () => {
    test('accepts a signed delivery, with the route param as the event type', async () => {
      const enqueued: WebhookEvent[] = []
      const app = express()
      app.post('/hooks/:status', hookguard(guardFor(enqueued)))
      const response = await request(app)
        .post('/hooks/COMPLETED')
        .set(signedHeaders(secret.key, { id: 'msg_e1', body }))
        .send(body)
      expect(response.status).toBe(202)
      expect(response.body).toEqual({ status: 202, code: 'accepted' })
      expect(enqueued).toHaveLength(1)
      expect(enqueued[0]).toMatchObject({ id: 'msg_e1', type: 'COMPLETED', path: '/hooks/COMPLETED' })
      expect(new TextDecoder().decode(eventBody(enqueued[0]!))).toBe(body)
    })

    test('rejects a bad signature with problem+json and enqueues nothing', async () => {
      const enqueued: WebhookEvent[] = []
      const app = express()
      app.post('/hooks/:status', hookguard(guardFor(enqueued)))
      const response = await request(app)
        .post('/hooks/COMPLETED')
        .set(signedHeaders(secret.key, { id: 'msg_e2', body }))
        .send(`${body} `)
      expect(response.status).toBe(401)
      expect(response.headers['content-type']).toBe('application/problem+json')
      expect(JSON.parse(response.text)).toMatchObject({ code: 'invalid_signature' })
      expect(enqueued).toHaveLength(0)
    })

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

    test('a PUT route works when PUT is allowed, and 405 when it is not', async () => {
      const enqueued: WebhookEvent[] = []
      const app = express()
      app.put('/upload/:status', hookguard(guardFor(enqueued, { methods: ['POST', 'PUT'] })))
      app.put('/strict/:status', hookguard(guardFor(enqueued)))
      const headers = signedHeaders(secret.key, { id: 'msg_e5', body })
      expect((await request(app).put('/upload/DONE').set(headers).send(body)).status).toBe(202)
      const refused = await request(app).put('/strict/DONE').set(headers).send(body)
      expect(refused.status).toBe(405)
      expect(refused.headers.allow).toBe('POST')
    })

    test('a duplicate answers 200 and is not enqueued again', async () => {
      const enqueued: WebhookEvent[] = []
      const app = express()
      app.post('/hooks/:status', hookguard(guardFor(enqueued)))
      const headers = signedHeaders(secret.key, { id: 'msg_e6', body })
      expect((await request(app).post('/hooks/A').set(headers).send(body)).status).toBe(202)
      const again = await request(app).post('/hooks/A').set(headers).send(body)
      expect(again.status).toBe(200)
      expect(again.body.code).toBe('duplicate')
      expect(enqueued).toHaveLength(1)
    })

    test('repeated webhook-id headers are refused with 400 duplicate_header', async () => {
      const enqueued: WebhookEvent[] = []
      const app = express()
      app.post('/hooks/:status', hookguard(guardFor(enqueued)))
      const headers = signedHeaders(secret.key, { id: 'msg_e7', body })
      const response = await request(app)
        .post('/hooks/A')
        .set(headers)
        .set('webhook-id', ['msg_e7', 'msg_other'] as unknown as string)
        .send(body)
      expect(response.status).toBe(400)
      expect(JSON.parse(response.text).code).toBe('duplicate_header')
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
