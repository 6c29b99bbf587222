import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'

/** A fetch handler served on 127.0.0.1, port 0. */
export interface LocalServer {
  /** `http://127.0.0.1:<port>` */
  origin: string
  close(): Promise<void>
}

/** Serves a fetch handler (e.g. `guard.handle`) with `@hono/node-server` on 127.0.0.1:0. */
export async function serveLocal(fetch: (request: Request) => Response | Promise<Response>): Promise<LocalServer> {
  const server = await new Promise<Server>((resolve) => {
    const started = serve({ fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(started as Server))
  })
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}

/** A port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = await serveLocal(() => new Response(null))
  const port = Number(new URL(server.origin).port)
  await server.close()
  return port
}
