import { Agent, createServer, request, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { CertificateFetch } from '../src/verify/certificate-keys.js'
import { makeCertificates } from './certs.js'

/** What the local server answers for one path: a body with a status, after an optional delay. */
export interface Served {
  status?: number
  body: string
  delayMs?: number
}

/** A local HTTPS server on 127.0.0.1 (its own CA), counting the requests per path. */
export interface CertServer {
  /** `https://127.0.0.1:<port>` */
  origin: string
  /** The CA that signed the server's certificate. */
  ca: string
  /** What each path answers; change it between requests. Unknown paths are 404. */
  routes: Map<string, Served>
  /** How many requests each path got. */
  hits: Map<string, number>
  /** A fetch that trusts this server's CA, as the verifiers' `fetch` option takes it. */
  fetch: CertificateFetch
  close(): Promise<void>
}

/** Starts the server; a test closes it. Nothing leaves the machine. */
export async function startCertServer(): Promise<CertServer> {
  const certs = makeCertificates()
  const routes = new Map<string, Served>()
  const hits = new Map<string, number>()
  const server: Server = createServer({ key: certs.serverKey, cert: certs.serverCert }, (req, res) => {
    const path = req.url ?? '/'
    hits.set(path, (hits.get(path) ?? 0) + 1)
    const served = routes.get(path)
    const answer = () => {
      if (served === undefined) res.writeHead(404).end('not found')
      else res.writeHead(served.status ?? 200, { 'content-type': 'text/plain' }).end(served.body)
    }
    if (served?.delayMs) setTimeout(answer, served.delayMs)
    else answer()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    origin: `https://127.0.0.1:${port}`,
    ca: certs.ca,
    routes,
    hits,
    fetch: trustingFetch(certs.ca),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A minimal fetch over `node:https` that trusts `ca` (the global fetch trusts only the system's CAs). */
export function trustingFetch(ca: string): CertificateFetch {
  const agent = new Agent({ ca })
  return (url, init) =>
    new Promise((resolve, reject) => {
      const req = request(url, { agent, signal: init.signal }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', reject)
        res.on('end', () => {
          const status = res.statusCode ?? 0
          const text = Buffer.concat(chunks).toString('utf8')
          resolve({ ok: status >= 200 && status < 300, status, text: async () => text })
        })
      })
      req.on('error', reject)
      req.end()
    })
}
