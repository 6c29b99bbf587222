import { once } from 'node:events'
import { createServer as createHttpServer } from 'node:http'
import { createServer, request as httpsRequest } from 'node:https'
import type { AddressInfo } from 'node:net'
import { clientCertificate, createGuard, type WebhookEvent } from '@hookguard/core'
import express from 'express'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { makeCertificates, type TestCertificates } from '../../core/test-support/certs.js'
import { hookguard } from './index.js'

let certs: TestCertificates
const enqueued: WebhookEvent[] = []
const logged: Record<string, unknown>[] = []
let httpsUrl: URL
let httpUrl: URL
const servers: { close(): unknown }[] = []

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

beforeAll(async () => {
  certs = makeCertificates()
  const guard = createGuard({
    verify: [clientCertificate({ subjects: ['CN=webhooks.sender.test'], issuers: ['CN=Test Sender CA'] })],
    enqueue: (event) => {
      enqueued.push(event)
    },
    eventId: { header: 'x-delivery-id' },
    logger: { info() {}, warn() {}, error() {}, debug: (r) => logged.push(r as Record<string, unknown>) },
  })
  const app = express()
  app.post('/hooks', hookguard(guard))
  const tls = createServer(
    { key: certs.serverKey, cert: certs.serverCert, ca: certs.ca, requestCert: true, rejectUnauthorized: false },
    app,
  )
  const plain = createHttpServer(app)
  servers.push(tls, plain)
  tls.listen(0, '127.0.0.1')
  plain.listen(0, '127.0.0.1')
  await Promise.all([once(tls, 'listening'), once(plain, 'listening')])
  httpsUrl = new URL(`https://localhost:${(tls.address() as AddressInfo).port}/hooks`)
  httpUrl = new URL(`http://127.0.0.1:${(plain.address() as AddressInfo).port}/hooks`)
})

afterAll(() => {
  for (const server of servers) server.close()
})

describe('client certificates through Express over real HTTPS', () => {
  test('a certificate from the trusted CA with the right subject is accepted', async () => {
    const response = await send(httpsUrl, 'tls-1', { key: certs.clientKey, cert: certs.clientCert })
    expect(response.status).toBe(202)
    expect(enqueued.at(-1)?.auth[0]).toMatchObject({
      verifier: 'client-certificate',
      claims: { subject: { CN: 'webhooks.sender.test' } },
    })
  })

  test('no certificate, or a self-signed one with the same subject, is 403', async () => {
    const none = await send(httpsUrl, 'tls-2')
    expect(none.status).toBe(403)
    expect(JSON.parse(none.body).code).toBe('client_certificate_rejected')
    const stranger = await send(httpsUrl, 'tls-3', { key: certs.strangerKey, cert: certs.strangerCert })
    expect(stranger.status).toBe(403)
    expect(enqueued.map((e) => e.id)).not.toContain('tls-3')
  })

  test('plain HTTP gets a clear 403 and a logged hint', async () => {
    const response = await fetch(httpUrl, { method: 'POST', headers: { 'x-delivery-id': 'tls-4' }, body: '{}' })
    expect(response.status).toBe(403)
    expect((await response.json()).code).toBe('client_certificate_rejected')
    expect(String(logged.at(-1)?.detail)).toMatch(/did not arrive over TLS/)
  })
})
