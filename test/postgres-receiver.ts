// A receiver process for the Postgres fault test: Express + hookguard + the Postgres inbox. Settings come from
// the environment (see startInboxReceiver in postgres-helpers.ts). Prints `listening on <url>` when ready and a
// `counters {...}` line when stopped with SIGTERM.
import { createGuard, standardWebhooks } from '@hookguard/core'
import { hookguard } from '@hookguard/express'
import { postgresInbox } from '@hookguard/postgres'
import express from 'express'
import pg from 'pg'

function setting(name: string): string {
  const value = process.env[name]
  if (value === undefined) throw new Error(`${name} is not set`)
  return value
}

const name = setting('RECEIVER_NAME')
const counts = { enqueued: 0, enqueueFailed: 0 }

// Fail fast while Postgres is down (the guard answers 503); a connection lost with the server is emitted as an
// `error` on the pool and replaced by a new one on the next query.
const pool = new pg.Pool({ connectionString: setting('DATABASE_URL'), max: 8, connectionTimeoutMillis: 1_000 })
pool.on('error', () => {})
const inbox = postgresInbox({ pool, table: setting('INBOX_TABLE'), timeoutMs: 1_000 })

const guard = createGuard({
  verify: [standardWebhooks({ secret: setting('WEBHOOK_SECRET') })],
  ...inbox.guardOptions,
  enqueueTimeoutMs: 2_000,
  enqueue: async (event) => {
    try {
      await inbox.guardOptions.enqueue(event)
      counts.enqueued += 1
    } catch (error) {
      counts.enqueueFailed += 1
      throw error
    }
  },
})

const app = express()
app.post('/hooks', hookguard(guard))
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address()
  if (address && typeof address === 'object') console.log(`listening on http://127.0.0.1:${address.port}/hooks`)
})

process.once('SIGTERM', () => {
  console.log(`counters ${JSON.stringify({ name, ...counts, ...guard.counters })}`)
  server.close()
  server.closeAllConnections()
  void pool.end()
})
