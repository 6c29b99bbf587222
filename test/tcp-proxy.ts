// A TCP proxy on 127.0.0.1 in front of a broker, so a test can cut the connections of its own clients (and only
// theirs) without touching the shared broker: `drop()` destroys every proxied connection, `down()`/`up()` refuse
// new ones for a while, `stall()` keeps the open connections open but forwards nothing more on them (a half-open network).
import { once } from 'node:events'
import { connect, createServer, type Server, type Socket } from 'node:net'

export interface TcpProxy {
  port: number
  /** Connections accepted since start. */
  readonly accepted: number
  /** Destroys every open connection, both sides. */
  drop(): void
  /** Drops every connection and stops listening: new connections are refused until `up()`. */
  down(): Promise<void>
  /** Listens again on the same port. */
  up(): Promise<void>
  /** Forwards nothing more on the connections open now (they stay open); new ones work. */
  stall(): void
  close(): Promise<void>
}

/** Starts a proxy from a free port (or `port`) on 127.0.0.1 to 127.0.0.1:`target`. */
export async function startTcpProxy(target: number, port = 0): Promise<TcpProxy> {
  const sockets = new Set<Socket>()
  let accepted = 0
  const stalled = new WeakSet<Socket>()
  let server: Server | undefined

  function onConnection(client: Socket): void {
    accepted += 1
    const upstream = connect({ host: '127.0.0.1', port: target })
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('error', () => {})
      socket.on('close', () => {
        sockets.delete(socket)
        client.destroy()
        upstream.destroy()
      })
    }
    client.on('data', (chunk) => {
      if (!stalled.has(client)) upstream.write(chunk)
    })
    upstream.on('data', (chunk) => {
      if (!stalled.has(client)) client.write(chunk)
    })
  }

  async function listen(at: number): Promise<number> {
    server = createServer(onConnection)
    server.listen(at, '127.0.0.1')
    await once(server, 'listening')
    const address = server.address()
    if (!address || typeof address === 'string') throw new Error('no port')
    return address.port
  }

  function drop(): void {
    for (const socket of sockets) socket.destroy()
    sockets.clear()
  }

  async function down(): Promise<void> {
    const closing = server
    server = undefined
    if (closing) {
      const closed = once(closing, 'close')
      closing.close()
      drop()
      await closed
    }
    drop()
  }

  const bound = await listen(port)
  return {
    port: bound,
    get accepted() {
      return accepted
    },
    drop,
    down,
    async up() {
      if (!server) await listen(bound)
    },
    stall() {
      for (const socket of sockets) stalled.add(socket)
    },
    close: down,
  }
}
