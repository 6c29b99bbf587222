import { parseArgs } from 'node:util'
import type { RetryOptions } from '../backoff.js'
import { newEventId } from '../ids.js'
import { type SenderEvent, type SenderReport, simulateSender } from '../simulate-sender.js'
import { exitCodes, UsageError } from './errors.js'
import { attemptLine, progressLine, summaryTable } from './format.js'
import { integerFrom, numberFrom, presetFrom, signingOptions, signOptionsFrom, withPayloadId } from './inputs.js'
import type { CliIo } from './io.js'
import { usage } from './usage.js'

const clearLine = '\r\x1b[2K'

function retryFrom(values: { retry?: string; attempts?: string; 'base-ms'?: string }): RetryOptions | false {
  const policy = values.retry ?? 'exponential'
  if (policy === 'none') return false
  if (policy === 'exponential') {
    const attempts = integerFrom(values.attempts, '--attempts', 1, 100, 'send')
    const baseMs = integerFrom(values['base-ms'], '--base-ms', 0, 3_600_000, 'send')
    return { attempts: attempts ?? 5, baseMs: baseMs ?? 500, factor: 2, jitter: true }
  }
  if (/^\d+(,\d+)*$/.test(policy)) {
    const schedule = policy.split(',').map(Number)
    if (schedule.length > 99) throw new UsageError('--retry lists at most 99 waits', 'send')
    return { schedule }
  }
  throw new UsageError(`--retry must be exponential, none, or waits in ms like 100,500,2000; got "${policy}"`, 'send')
}

/** No attempt got an HTTP answer, and a connection failed: the URL is unreachable. */
function unreachable(report: SenderReport): string | undefined {
  const attempts = report.events.flatMap((event) => event.attempts)
  if (attempts.length === 0 || attempts.some((attempt) => attempt.status !== null)) return undefined
  return attempts.find((attempt) => attempt.error?.kind === 'network')?.error?.message
}

/**
 * `hookguard send`: delivers events with `simulateSender` and shows each
 * attempt, a live progress line on a terminal, and a summary table.
 *
 * @example
 * ```ts
 * const code = await sendCommand(['http://127.0.0.1:3000/hooks', '--preset', 'svix', '--secret', 'whsec_…'], processIo())
 * ```
 */
export async function sendCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      ...signingOptions,
      count: { type: 'string' },
      duplicates: { type: 'string' },
      shuffle: { type: 'boolean' },
      retry: { type: 'string' },
      attempts: { type: 'string' },
      'base-ms': { type: 'string' },
      concurrency: { type: 'string' },
      timeout: { type: 'string' },
      'max-duration': { type: 'string' },
    },
    allowPositionals: true,
  })
  if (values.help) {
    io.out(usage.send)
    return exitCodes.ok
  }
  if (positionals.length !== 1) throw new UsageError('give exactly one URL to send to', 'send')
  const url = positionals[0] as string
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new UsageError(`"${url}" is not a URL (e.g. http://127.0.0.1:3000/hooks)`, 'send')
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`the URL must be http: or https:, got ${parsed.protocol}`, 'send')
  }
  const preset = presetFrom(values.preset, 'send')
  const options = await signOptionsFrom(values, preset, io, 'send')
  const count = integerFrom(values.count, '--count', 1, 100_000, 'send') ?? 1
  if (values.id !== undefined && count > 1)
    throw new UsageError('--id gives one event its id: drop it or --count', 'send')
  const events: SenderEvent[] = Array.from({ length: count }, () => {
    const id = values.id ?? newEventId(preset)
    return { id, body: withPayloadId(preset, options.body, id, count > 1 || values.id !== undefined) }
  })
  const retry = retryFrom(values)
  const maxAttempts = retry === false ? 1 : retry.schedule ? retry.schedule.length + 1 : (retry.attempts ?? 5)
  const duplicates = numberFrom(values.duplicates, '--duplicates', 0, 1, 'send')
  const concurrency = integerFrom(values.concurrency, '--concurrency', 1, 256, 'send')
  const timeoutMs = integerFrom(values.timeout, '--timeout', 1, 600_000, 'send')
  const maxDurationMs = integerFrom(values['max-duration'], '--max-duration', 1, 86_400_000, 'send')

  const live = io.isTTY && !values.json
  let attempts = 0
  let notOk = 0
  const finished = new Set<number>()
  const stop = new AbortController()
  const onSignal = () => stop.abort()
  process.once('SIGINT', onSignal)
  let report: SenderReport
  try {
    report = await simulateSender({
      ...options,
      url,
      preset,
      events,
      retry,
      signal: stop.signal,
      ...(duplicates === undefined ? {} : { duplicates }),
      ...(concurrency === undefined ? {} : { concurrency }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(maxDurationMs === undefined ? {} : { maxDurationMs }),
      shuffle: values.shuffle === true,
      onAttempt(attempt) {
        attempts++
        const ok = attempt.status !== null && attempt.status >= 200 && attempt.status < 300
        if (!ok) notOk++
        if (!attempt.duplicate && (ok || attempt.attempt === maxAttempts)) finished.add(attempt.index)
        if (values.json) return
        const line = `${attemptLine(attempt)}\n`
        if (live) io.out(`${clearLine}${line}${progressLine(finished.size, count, attempts, notOk)}`)
        else io.out(line)
      },
    })
  } finally {
    process.removeListener('SIGINT', onSignal)
  }
  if (live) io.out(clearLine)
  if (values.json) io.out(`${JSON.stringify(report, null, 2)}\n`)
  else io.out(summaryTable(report))
  const network = unreachable(report)
  if (network !== undefined) {
    io.err(`hookguard: could not reach ${url}: ${network}\n`)
    return exitCodes.network
  }
  if (report.totals.failed > 0) {
    io.err(`hookguard: ${report.totals.failed} of ${report.totals.events} events were not delivered\n`)
    return exitCodes.failed
  }
  return exitCodes.ok
}
