// The sender side of the broker fault tests: unique events plus re-sends delivered with retries to a pool of
// receivers while disruptions (a broker restart, a dropped connection, a receiver SIGKILLed) run at set points;
// then a tally of what the broker holds against what was acknowledged.
import { post } from './redis-helpers.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Something the chaos loop does once this share of the deliveries is finished. */
export interface Disruption {
  at: number
  label: string
  run(): Promise<void>
}

export interface LoadSettings {
  key: Buffer
  ids: readonly string[]
  /** Share of ids sent a second time, 50–400 deliveries after the first. */
  resendShare: number
  concurrency: number
  /** The receivers taking deliveries now (a disruption may swap one). */
  pool(): readonly { url: string }[]
  disruptions: readonly Disruption[]
  /** Bounds: one delivery's retries, and the whole run. */
  deliveryBudgetMs: number
  runBudgetMs: number
}

export interface LoadResult {
  deliveries: number
  resends: number
  attempts: number
  statusCounts: Map<number, number>
  /** For each id, when it was first answered 2xx. */
  ackedAt: Map<string, number>
  gaveUp: number
  /** The disruptions that ran, with when. */
  ran: { label: string; startedAt: number; endedAt: number }[]
}

/** Originals in order; each re-send lands 50–400 deliveries after its original, as a sender's duplicate would. */
function schedule(ids: readonly string[], resendShare: number): { id: string; resend: boolean }[] {
  const slots = ids.map((id, i) => ({ at: i, delivery: { id, resend: false } }))
  ids.forEach((id, i) => {
    if (Math.random() < resendShare) slots.push({ at: i + 50 + Math.random() * 350, delivery: { id, resend: true } })
  })
  return slots.sort((a, b) => a.at - b.at).map((slot) => slot.delivery)
}

/** Delivers every scheduled event (retrying any non-2xx on a random receiver) while the disruptions run. */
export async function runLoad(settings: LoadSettings): Promise<LoadResult> {
  const deliveries = schedule(settings.ids, settings.resendShare)
  const runDeadline = Date.now() + settings.runBudgetMs
  const result: LoadResult = {
    deliveries: deliveries.length,
    resends: deliveries.filter((d) => d.resend).length,
    attempts: 0,
    statusCounts: new Map(),
    ackedAt: new Map(),
    gaveUp: 0,
    ran: [],
  }
  let finished = 0

  async function deliver(id: string): Promise<void> {
    const body = JSON.stringify({ type: 'fault.test', data: { id } })
    const deadline = Math.min(Date.now() + settings.deliveryBudgetMs, runDeadline)
    while (Date.now() < deadline) {
      const pool = settings.pool()
      const receiver = pool[Math.floor(Math.random() * pool.length)]
      const status = receiver ? await post(receiver.url, settings.key, id, body) : 0
      result.attempts += 1
      result.statusCounts.set(status, (result.statusCounts.get(status) ?? 0) + 1)
      if (status >= 200 && status < 300) {
        if (!result.ackedAt.has(id)) result.ackedAt.set(id, Date.now())
        return
      }
      await sleep(5 + Math.random() * 35)
    }
    result.gaveUp += 1
  }

  let next = 0
  async function sender(): Promise<void> {
    while (next < deliveries.length) {
      await deliver(deliveries[next++]!.id)
      finished += 1
    }
  }

  async function chaos(): Promise<void> {
    for (const disruption of settings.disruptions) {
      while (finished < disruption.at * deliveries.length && finished < deliveries.length && Date.now() < runDeadline) {
        await sleep(5)
      }
      if (finished >= deliveries.length || Date.now() >= runDeadline) return
      const startedAt = Date.now()
      await disruption.run()
      result.ran.push({ label: disruption.label, startedAt, endedAt: Date.now() })
    }
  }

  await Promise.all([chaos(), ...Array.from({ length: settings.concurrency }, sender)])
  return result
}

/** What the broker holds against what was acknowledged: `copies` counts the broker's messages per event id. */
export function tally(
  ids: readonly string[],
  ackedAt: ReadonlyMap<string, number>,
  copies: ReadonlyMap<string, number>,
) {
  const known = new Set(ids)
  return {
    lost: ids.filter((id) => !copies.has(id)),
    /** Answered 2xx, yet not in the broker. */
    falseAcks: [...ackedAt.keys()].filter((id) => !copies.has(id)),
    /** Extra copies of an event in the broker. */
    duplicates: [...copies.values()].reduce((total, n) => total + n - 1, 0),
    /** Messages the run never sent (should be none). */
    strangers: [...copies.keys()].filter((id) => !known.has(id)),
  }
}

/** A report line per field, for the console. */
export function loadReport(result: LoadResult): Record<string, unknown> {
  return {
    'deliveries (originals + re-sends)': result.deliveries,
    're-sends': result.resends,
    'HTTP attempts': result.attempts,
    'answers by status': Object.fromEntries([...result.statusCounts].sort((a, b) => a[0] - b[0])),
    disruptions: result.ran.map((r) => `${r.label} (${r.endedAt - r.startedAt} ms)`),
    'deliveries given up': result.gaveUp,
  }
}
