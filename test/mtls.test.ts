import { once } from 'node:events'
import { createServer as createHttpServer } from 'node:http'
import { createServer, request as httpsRequest } from 'node:https'
import type { AddressInfo } from 'node:net'
import { clientCertificate, createGuard, type Guard, type WebhookEvent } from '@hookguard/core'
import { hookguard as expressHookguard } from '@hookguard/express'
import { hookguard as koaHookguard } from '@hookguard/koa'
import express from 'express'
import Koa from 'koa'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { makeCertificates, type TestCertificates } from '../packages/core/test-support/certs.js'

let certs: TestCertificates
const servers: { close(): unknown }[] = []

interface Target {
  httpsUrl: URL
  httpUrl: URL
  enqueued: WebhookEvent[]
  logged: Record<string, unknown>[]
}

/** Node request handlers for the same guard, one per adapter. */
const frameworks = {
  Express: (guard: Guard) => {
    const app = express()
    app.post('/hooks', expressHookguard(guard))
    return app
  },
  Koa: (guard: Guard) => new Koa().use(koaHookguard(guard)).callback(),
}

async function start(framework: keyof typeof frameworks): Promise<Target> {
  const target: Target = { httpsUrl: new URL('https://x'), httpUrl: new URL('http://x'), enqueued: [], logged: [] }
  const guard = createGuard({
    verify: [clientCertificate({ subjects: ['CN=webhooks.sender.test'], issuers: ['CN=Test Sender CA'] })],
    enqueue: (event) => {
      target.enqueued.push(event)
    },
    eventId: { header: 'x-delivery-id' },
    logger: { info() {}, warn() {}, error() {}, debug: (r) => target.logged.push(r as Record<string, unknown>) },
  })
  const handler = frameworks[framework](guard)
  const tls = createServer(
    { key: certs.serverKey, cert: certs.serverCert, ca: certs.ca, requestCert: true, rejectUnauthorized: false },
    handler,
  )
  const plain = createHttpServer(handler)
  servers.push(tls, plain)
  tls.listen(0, '127.0.0.1')
  plain.listen(0, '127.0.0.1')
  await Promise.all([once(tls, 'listening'), once(plain, 'listening')])
  target.httpsUrl = new URL(`https://localhost:${(tls.address() as AddressInfo).port}/hooks`)
  target.httpUrl = new URL(`http://127.0.0.1:${(plain.address() as AddressInfo).port}/hooks`)
  return target
}

function send(url: URL, id: string, client?: { key: string; cert: string }) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpsRequest(
      url,
      { method: 'POST', ca: certs.ca, headers: { 'x-delivery-id': id, 'content-type': 'application/json' }, ...client },
      (res) => {
        let body = ''
        res.on('data', (c) => {
          body += c
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      },
    )
    req.on('error', reject)
    req.end('{"type":"scan.completed"}')
  })
}

beforeAll(() => {
  certs = makeCertificates()
})

afterAll(() => {
  for (const server of servers) server.close()
})

describe.each(Object.keys(frameworks) as (keyof typeof frameworks)[])(
  'client certificates through %s over real HTTPS',
  (framework) => {
    let target: Target
    beforeAll(async () => {
      target = await start(framework)
    })

    test('a certificate from the trusted CA with the right subject is accepted', async () => {
      const response = await send(target.httpsUrl, 'tls-1', { key: certs.clientKey, cert: certs.clientCert })
      expect(response.status).toBe(202)
      expect(target.enqueued.at(-1)?.auth[0]).toMatchObject({
        verifier: 'client-certificate',
        claims: { subject: { CN: 'webhooks.sender.test' } },
      })
    })

    test('no certificate, or a self-signed one with the same subject, is 403', async () => {
      const none = await send(target.httpsUrl, 'tls-2')
      expect(none.status).toBe(403)
      expect(JSON.parse(none.body).code).toBe('client_certificate_rejected')
      const stranger = await send(target.httpsUrl, 'tls-3', { key: certs.strangerKey, cert: certs.strangerCert })
      expect(stranger.status).toBe(403)
      expect(target.enqueued.map((e) => e.id)).not.toContain('tls-3')
    })

    test('plain HTTP gets a clear 403 and a logged hint', async () => {
      const response = await fetch(target.httpUrl, {
        method: 'POST',
        headers: { 'x-delivery-id': 'tls-4' },
        body: '{}',
      })
      expect(response.status).toBe(403)
      expect((await response.json()).code).toBe('client_certificate_rejected')
      expect(String(target.logged.at(-1)?.detail)).toMatch(/did not arrive over TLS/)
    })
  },
)
