import { gzipSync } from 'node:zlib'
import { eventBody, type Logger } from '@hookguard/core'
import { expect } from 'vitest'
import { earlyAnswerBody, type TargetFacts } from '../harness.js'
import { type Reply, send } from '../http-client.js'
import { type ConformanceCase, deliver, expectVerdict, headersFor, waitFor } from './support.js'

/** One log record, with its level and message. */
interface LogEntry {
  level: string
  message: string | undefined
  record: Record<string, unknown>
}

/** A logger that keeps every record. */
function recordingLogger(): { entries: LogEntry[]; logger: Logger } {
  const entries: LogEntry[] = []
  const at = (level: string) => (record: object, message?: string) => {
    entries.push({ level, message, record: record as Record<string, unknown> })
  }
  return { entries, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } }
}

/** Long enough that a delivery nothing holds up is answered by hookguard first, even on a loaded machine. */
const earlyAnswerMs = 300

function expectEarlyAnswer(reply: Reply): void {
  expect({ status: reply.status, text: reply.text }).toEqual({ status: 503, text: earlyAnswerBody })
}

/**
 * Waits until the guard has logged the outcome of the request (the record every request gets) and,
 * where the adapter sees the Node response, the record that its verdict was not written.
 */
async function waitForLateVerdict(entries: LogEntry[], target: TargetFacts, code: string) {
  const logged = (message: (m: string) => boolean) =>
    entries.some((e) => message(e.message ?? '') && e.record.code === code)
  await waitFor(() => logged((m) => m.startsWith('webhook ') && m !== 'webhook verdict not written'))
  if (target.reportsUnwritten) await waitFor(() => logged((m) => m === 'webhook verdict not written'))
}

/** Behaviours that depend on what the application runs before hookguard, through every target. */
export const beforeHookguardCases: readonly ConformanceCase[] = [
  {
    name: 'an earlier middleware that answers first (an app timeout): its answer stands, the late verdict is logged, the next delivery is served',
    async run(start, target) {
      const { entries, logger } = recordingLogger()
      let release = () => {}
      const held = new Promise<void>((resolve) => {
        release = resolve
      })
      const server = await start(
        { logger, bodyTimeoutMs: 1_000, enqueue: (event) => (event.id === 'msg_slow_enqueue' ? held : undefined) },
        { earlyAnswerMs },
      )

      // A slow enqueue: the timeout answers, then the guard finishes and accepts.
      expectEarlyAnswer(await deliver(server, { id: 'msg_slow_enqueue' }))
      release()
      await waitForLateVerdict(entries, target, 'accepted')
      const unwritten = entries.filter((e) => e.message === 'webhook verdict not written')
      if (target.reportsUnwritten) {
        expect(unwritten[0]).toMatchObject({
          level: 'warn',
          record: { code: 'accepted', status: 202, eventId: 'msg_slow_enqueue', reason: 'response_started' },
        })
      }

      // A slow body: the timeout answers while the body is still on its way.
      expectEarlyAnswer(await deliver(server, { id: 'msg_slow_body' }, { framing: 'stall' }))
      // Node no longer aborts a request once its answer is sent, even when the sender then hangs up: the idle timeout ends it.
      await waitForLateVerdict(entries, target, 'body_timeout')

      expectVerdict(await deliver(server, { id: 'msg_after' }), 202, 'accepted')
      expect(server.enqueued.map((e) => e.id)).toEqual(['msg_slow_enqueue', 'msg_after'])
    },
  },
  {
    name: 'a gzip delivery that a raw body parser inflated before hookguard is accepted, decompress on or off',
    async run(start, target) {
      // Senders sign the bytes before compression.
      const plain = JSON.stringify({ type: 'zipped', data: { n: 1 } })
      for (const decompress of [false, true]) {
        const server = await start({ decompress }, { bodyParser: true })
        const id = `msg_gzip_parsed_${decompress}`
        const headers = { ...headersFor({ id, body: plain }), 'content-encoding': 'gzip' }
        const reply = await send(server.url, { headers, body: gzipSync(plain) })
        if (target.bodyParser === undefined && !decompress) {
          expectVerdict(reply, 415, 'unsupported_encoding')
          continue
        }
        expectVerdict(reply, 202, 'accepted')
        expect(Buffer.from(eventBody(server.enqueued[0]!)).toString()).toBe(plain)
      }
    },
  },
]
