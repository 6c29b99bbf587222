import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { JWK } from 'jose'

/** A JWKS server on 127.0.0.1 that counts its requests and can be told to fail. */
export interface JwksServer {
  url: string
  requests: number
  keys: JWK[]
  mode: 'ok' | 'error' | 'garbage' | 'hang'
  close(): Promise<void>
}

export async function startJwksServer(keys: JWK[]): Promise<JwksServer> {
  const state: JwksServer = {
    url: '',
    requests: 0,
    keys,
    mode: 'ok',
    close: async () => {},
  }
  const server: Server = createServer((_req, res) => {
    state.requests++
    if (state.mode === 'hang') return
    if (state.mode === 'error') {
      res.writeHead(500).end('down')
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(state.mode === 'garbage' ? '<html>' : JSON.stringify({ keys: state.keys }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return state
}
