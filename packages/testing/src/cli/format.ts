import type { AttemptRecord } from '../deliver.js'
import type { SenderReport } from '../simulate-sender.js'
import type { SignedRequest } from '../types.js'

/** Quotes a word for a POSIX shell. */
export function shellQuote(text: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`
}

/** A `curl` command that sends exactly the signed request. */
export function curlLine(url: string, signed: SignedRequest): string {
  const parts = ['curl', '-sS', '-X', 'POST', shellQuote(url)]
  for (const [name, value] of Object.entries(signed.headers)) parts.push('-H', shellQuote(`${name}: ${value}`))
  const body = typeof signed.body === 'string' ? signed.body : new TextDecoder().decode(signed.body)
  parts.push('--data-binary', shellQuote(body))
  return parts.join(' ')
}

/** One attempt as a line: id, attempt, status, code, latency. */
export function attemptLine(attempt: AttemptRecord & { id: string }): string {
  const what = attempt.duplicate ? `duplicate ${attempt.attempt}` : `attempt ${attempt.attempt}`
  const answer =
    attempt.status === null
      ? `${attempt.error?.kind ?? 'error'} (${attempt.error?.message ?? ''})`
      : String(attempt.status)
  const code = attempt.code ?? '-'
  return `${attempt.id}  ${what.padEnd(12)} ${answer.padEnd(5)} ${code.padEnd(20)} ${Math.round(attempt.latencyMs)} ms`
}

/** The live progress line. */
export function progressLine(done: number, total: number, attempts: number, failedAttempts: number): string {
  return `[${done}/${total} events] ${attempts} attempts, ${failedAttempts} not 2xx`
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number
}

/** A two-column table. */
function table(rows: readonly [string, string][]): string {
  const width = Math.max(...rows.map(([name]) => name.length))
  return `${rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`).join('\n')}\n`
}

/** The summary table printed at the end of `send`. */
export function summaryTable(report: SenderReport): string {
  const { totals } = report
  const latencies = report.events
    .flatMap((event) => event.attempts)
    .filter((attempt) => attempt.status !== null)
    .map((attempt) => attempt.latencyMs)
    .sort((a, b) => a - b)
  const rows: [string, string][] = [
    ['events', String(totals.events)],
    ['delivered', String(totals.delivered)],
    ['failed', String(totals.failed)],
    ['attempts', String(totals.attempts)],
    ['retries', String(totals.retries)],
    ['duplicates', String(totals.duplicates)],
  ]
  for (const [status, count] of Object.entries(totals.byStatus)) rows.push([`status ${status}`, String(count)])
  if (latencies.length > 0) {
    rows.push(['latency p50', `${Math.round(percentile(latencies, 50))} ms`])
    rows.push(['latency p95', `${Math.round(percentile(latencies, 95))} ms`])
    rows.push(['latency max', `${Math.round(latencies[latencies.length - 1] as number)} ms`])
  }
  rows.push(['duration', `${Math.round(totals.durationMs)} ms`])
  return `\nsummary\n${table(rows)}`
}
