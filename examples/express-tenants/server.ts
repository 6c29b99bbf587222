// Many tenants on one endpoint: POST /hooks/:tenant, each tenant's Standard Webhooks
// secrets in Postgres (several during a rotation, each with an optional window),
// looked up per request behind hookguard's in-process cache.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test WEBHOOK_SECRET=whsec_... PORT=3000 npm start
//
// On start it creates the table and stores WEBHOOK_SECRET for the tenant SEED_TENANT (default `acme`),
// so `hookguard send http://127.0.0.1:3000/hooks --preset standard-webhooks --secret $WEBHOOK_SECRET --tenant acme`
// is accepted at once.
import { createGuard, keyResolver, standardWebhooks, type WebhookEvent } from '@hookguard/core'
import { hookguard } from '@hookguard/express'
import express from 'express'
import pg from 'pg'

const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  max: 5,
})
await pool.query(`CREATE TABLE IF NOT EXISTS tenant_secrets (
  tenant text NOT NULL,
  secret text NOT NULL,
  not_before timestamptz,
  not_after timestamptz,
  PRIMARY KEY (tenant, secret)
)`)
const demoSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const seedTenant = process.env.SEED_TENANT ?? 'acme'
await pool.query('INSERT INTO tenant_secrets (tenant, secret) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
  seedTenant,
  process.env.WEBHOOK_SECRET ?? demoSecret,
])

// The tenant's secrets, each with its window: hookguard tries only those valid now, and answers an unknown tenant
// 401 after the same work as a known one. A query that fails or takes over 1 s answers 503 with Retry-After.
const tenantSecrets = keyResolver(
  async ({ tenant }) => {
    const { rows } = await pool.query<{ secret: string; not_before: Date | null; not_after: Date | null }>(
      'SELECT secret, not_before, not_after FROM tenant_secrets WHERE tenant = $1',
      [tenant],
    )
    return rows.map((row) => ({
      key: row.secret,
      ...(row.not_before ? { notBefore: row.not_before } : {}),
      ...(row.not_after ? { notAfter: row.not_after } : {}),
    }))
  },
  { maxTenants: 10_000, ttlMs: 60_000, negativeTtlMs: 5_000, timeoutMs: 1_000 },
)

// Stand-in for your real queue: every event carries its tenant.
const queue: WebhookEvent[] = []
setInterval(() => {
  for (let event = queue.shift(); event; event = queue.shift()) {
    console.log(`processing ${event.type ?? 'event'} ${event.id} for tenant ${event.tenant}`)
  }
}, 100).unref()

const guard = createGuard({
  verify: [standardWebhooks({ secret: tenantSecrets })],
  tenant: { param: 'tenant' },
  enqueue: (event) => {
    queue.push(event)
  },
  logger: {
    info: (record) => console.log(JSON.stringify(record)),
    warn: (record) => console.warn(JSON.stringify(record)),
    error: (record) => console.error(JSON.stringify(record)),
  },
})

const app = express()
// hookguard reads the raw body itself: mount it before any JSON body parser.
app.post('/hooks/:tenant', hookguard(guard))
// A customer rotated: store the new secret, then drop the cached ones.
app.post('/admin/tenants/:tenant/rotated', express.json(), (req, res) => {
  guard.invalidate(req.params.tenant)
  res.status(204).end()
})

const port = Number(process.env.PORT ?? 3000)
const host = process.env.HOST ?? '127.0.0.1'
app.listen(port, host, () => console.log(`listening on http://${host}:${port}/hooks/:tenant`))
