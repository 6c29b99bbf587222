/**
 * One benchmark server, run as a child process by `bench/http.ts`:
 * `node --import tsx bench/server.ts <framework> <variant>` (packages from their built `dist`).
 * Listens on an ephemeral port of 127.0.0.1, prints `ready <port>` and serves
 * the app of `bench/apps.ts` until SIGTERM.
 */
import type { AddressInfo } from 'node:net'
import { appServer, type Framework, frameworks, type Handoff, makeGuard, type Variant, variants } from './apps.js'

function handoffOf(variant: Variant): Handoff {
  if (variant === 'hookguard-redis') return 'redis'
  return variant === 'hookguard-postgres' ? 'postgres' : 'memory'
}

import { brokerHandoff } from './handoffs.js'

const brokers = ['bullmq', 'nats', 'rabbitmq'] as const

async function main(): Promise<void> {
  const [framework, variant] = process.argv.slice(2) as [Framework, Variant]
  if (!frameworks.includes(framework) || !variants.includes(variant)) {
    throw new Error(`usage: server.ts <${frameworks.join('|')}> <${variants.join('|')}>`)
  }
  const broker = brokers.find((name) => variant === `hookguard-${name}`)
  const pipeline = variant.startsWith('hookguard')
    ? await makeGuard(
        handoffOf(variant),
        variant === 'hookguard-eager',
        broker ? await brokerHandoff(broker) : undefined,
      )
    : undefined
  const guard = pipeline?.guard
  const server = await appServer(framework, variant, guard)
  server.keepAliveTimeout = 30_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  process.stdout.write(`ready ${(server.address() as AddressInfo).port}\n`)

  const stop = () => {
    server.closeAllConnections()
    server.close()
    void pipeline
      ?.close()
      .catch(() => {})
      .finally(() => process.exit(0))
    if (!pipeline) process.exit(0)
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  // The parent's end is our end, even if it could not send SIGTERM.
  process.on('disconnect', stop)
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
