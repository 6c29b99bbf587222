// Fault test: a sender delivers thousands of unique events (20% of them sent twice, every non-2xx retried) to
// two receiver processes (Express + hookguard + the Postgres inbox) while their private Postgres is stopped at
// once (`pg_ctl stop -m immediate`: a crash, recovered from the WAL at the next start) and started again twice,
// and one receiver is SIGKILLed with requests in flight and replaced. At the end every id must have exactly one
// inbox row (0 lost, 0 duplicates: the row is the dedupe record), written before its first 2xx (0 false acks).
import { randomUUID } from 'node:crypto'
import { postgresInbox } from '@hookguard/postgres'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  createPool,
  type InboxReceiver,
  type PrivatePostgres,
  privatePostgresMissing,
  startInboxReceiver,
  startPrivatePostgres,
} from './postgres-helpers.js'
import { makeSecret, post } from './redis-helpers.js'

if (privatePostgresMissing) {
  console.warn(
    `\n⚠ a private Postgres cannot be started here (${privatePostgresMissing}): SKIPPING the Postgres fault test.\n`,
  )
}

const uniqueEvents = 5_000
const resendShare = 0.2
const concurrency = 24
/** Postgres is stopped at these shares of the deliveries done, and started again after `downMs`. */
const restartAt = [0.25, 0.7]
/** Receiver `a` is SIGKILLed at this share, and a new one takes its place after `replaceAfterMs`. */
const killReceiverAt = 0.45
const downMs = 500
const replaceAfterMs = 500
const deliveryBudgetMs = 30_000
const runBudgetMs = 120_000
const table = 'fault_inbox'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Originals in order; each re-send lands 50–400 deliveries after its original, as a sender's duplicate would. */
function schedule(ids: readonly string[]): string[] {
  const slots = ids.map((id, i) => ({ at: i, id }))
  ids.forEach((id, i) => {
    if (Math.random() < resendShare) slots.push({ at: i + 50 + Math.random() * 350, id })
  })
  return slots.sort((a, b) => a.at - b.at).map((slot) => slot.id)
}

describe.skipIf(privatePostgresMissing !== undefined)(
  'fault: Postgres crashed and restarted, a receiver SIGKILLed',
  () => {
    const { key, whsec } = makeSecret()
    const receivers: InboxReceiver[] = []
    const stopped: InboxReceiver[] = []
    let postgres: PrivatePostgres | undefined
    let admin: pg.Pool | undefined

    beforeAll(async () => {
      postgres = await startPrivatePostgres()
      admin = createPool(postgres.url, { max: 2 })
      await postgresInbox({ pool: admin, table }).migrate()
      const settings = { databaseUrl: postgres.url, table, secret: whsec }
      receivers.push(...(await Promise.all(['a', 'b'].map((name) => startInboxReceiver(name, settings)))))
    }, 90_000)

    afterAll(async () => {
      await Promise.all([...receivers, ...stopped].map((receiver) => receiver.stop()))
      await admin?.end()
      await postgres?.destroy()
    })

    test('0 lost, 0 false acks, 0 duplicates in the inbox', async () => {
      const run = randomUUID().slice(0, 8)
      const ids = Array.from({ length: uniqueEvents }, (_, i) => `evt_${run}_${i}`)
      const deliveries = schedule(ids)
      const started = Date.now()
      const runDeadline = started + runBudgetMs
      const statusCounts = new Map<number, number>()
      /** For each id, when it was first acknowledged with a 2xx. */
      const ackedAt = new Map<string, number>()
      let attempts = 0
      let finished = 0
      let gaveUp = 0

      async function deliver(id: string): Promise<void> {
        const body = JSON.stringify({ type: 'fault.test', data: { id } })
        const deadline = Math.min(Date.now() + deliveryBudgetMs, runDeadline)
        while (Date.now() < deadline) {
          const receiver = receivers[Math.floor(Math.random() * receivers.length)]!
          const status = await post(receiver.url, key, id, body)
          attempts += 1
          statusCounts.set(status, (statusCounts.get(status) ?? 0) + 1)
          if (status >= 200 && status < 300) {
            if (!ackedAt.has(id)) ackedAt.set(id, Date.now())
            return
          }
          await sleep(5 + Math.random() * 35)
        }
        gaveUp += 1
      }

      let next = 0
      async function sender(): Promise<void> {
        while (next < deliveries.length) {
          await deliver(deliveries[next++]!)
          finished += 1
        }
      }

      const restarts: { stoppedAt: number; startedAt: number }[] = []
      let receiverKilled = false
      const reached = async (share: number) => {
        while (finished < share * deliveries.length && Date.now() < runDeadline) await sleep(5)
        return finished < deliveries.length && Date.now() < runDeadline
      }
      async function restartPostgres(): Promise<void> {
        for (const share of restartAt) {
          if (!(await reached(share))) return
          const stoppedAt = Date.now()
          await postgres!.kill()
          await sleep(downMs)
          await postgres!.start()
          restarts.push({ stoppedAt, startedAt: Date.now() })
        }
      }
      async function killReceiver(): Promise<void> {
        if (!(await reached(killReceiverAt))) return
        const victim = receivers[0]!
        await victim.kill()
        receiverKilled = true
        stopped.push(victim)
        await sleep(replaceAfterMs)
        // Until then deliveries to it are refused (status 0) and retried; the new process takes its place.
        receivers[0] = await startInboxReceiver('a2', { databaseUrl: postgres!.url, table, secret: whsec })
      }

      await Promise.all([restartPostgres(), killReceiver(), ...Array.from({ length: concurrency }, sender)])
      const elapsedMs = Date.now() - started
      await Promise.all(receivers.map((receiver) => receiver.stop()))

      const rows = await admin!.query<{ event_id: string; created_ms: string; n: number }>(
        `SELECT event_id, count(*)::int AS n, floor(extract(epoch FROM min(created_at)) * 1000)::bigint AS created_ms
       FROM ${table} GROUP BY event_id`,
      )
      const written = new Map(rows.rows.map((row) => [row.event_id, { n: row.n, at: Number(row.created_ms) }]))
      const lost = ids.filter((id) => !written.has(id))
      // An ack is false when no row was written before it (created_at is the writing transaction's start).
      const falseAcks = [...ackedAt].filter(([id, at]) => !(written.get(id) && written.get(id)!.at <= at))
      const duplicates = [...written.values()].reduce((sum, row) => sum + row.n - 1, 0)
      const counters = [...stopped, ...receivers].map((receiver) => {
        const line = receiver.output().match(/counters (\{.*\})/)
        return line ? (JSON.parse(line[1]!) as Record<string, number>) : {}
      })
      const sum = (field: string) => counters.reduce((total, c) => total + (c[field] ?? 0), 0)

      console.log('fault test (Postgres crash/restart, a receiver SIGKILLed):\n', {
        'unique events': uniqueEvents,
        'deliveries (originals + re-sends)': deliveries.length,
        're-sends': deliveries.length - uniqueEvents,
        'HTTP attempts': attempts,
        'answers by status (0: no answer)': Object.fromEntries([...statusCounts].sort((a, b) => a[0] - b[0])),
        'Postgres restarts': restarts.length,
        'receiver SIGKILLed': receiverKilled,
        'inserts that failed (503, retried)': sum('enqueueFailed'),
        'dedupe checks that failed (503, retried)': sum('storeErrors'),
        'inbox rows': rows.rows.reduce((total, row) => total + row.n, 0),
        'deliveries given up': gaveUp,
        lost: lost.length,
        'false acks': falseAcks.length,
        'duplicates in the inbox': duplicates,
        'run time (s)': elapsedMs / 1000,
      })

      expect(restarts.length).toBe(restartAt.length)
      expect(receiverKilled).toBe(true)
      expect(gaveUp).toBe(0)
      expect(lost).toEqual([])
      expect(falseAcks).toEqual([])
      expect(duplicates).toBe(0)
      expect(ackedAt.size).toBe(uniqueEvents)
      // The faults really happened: some deliveries met a stopped Postgres, and re-sends were answered 200.
      expect(statusCounts.get(503) ?? 0).toBeGreaterThan(0)
      expect(statusCounts.get(200) ?? 0).toBeGreaterThan(0)
    }, 180_000)
  },
)
