import { describe, expect, test } from 'vitest'
import { createGuard } from '../guard.js'
import type { Unwritten } from '../observe/unwritten.js'
import type { Logger, Verdict } from '../types.js'
import { bearerToken } from '../verify/bearer-token.js'
import { type NodeResponseLike, writeVerdict } from './node-response.js'

const verdict: Verdict = { status: 202, code: 'accepted', headers: { 'content-type': 'application/json' }, body: '{}' }

/** A response in the given state that records what was written to it. */
function response(state: Partial<NodeResponseLike> = {}, failure?: Error) {
  const written: unknown[] = []
  const res: NodeResponseLike = {
    headersSent: false,
    writableEnded: false,
    destroyed: false,
    writeHead(status, headers) {
      if (failure) throw failure
      written.push(status, headers)
    },
    end(body) {
      written.push(body)
    },
    ...state,
  }
  return { res, written }
}

function reporter() {
  const reports: Unwritten[] = []
  return { reports, guard: { reportUnwritten: (unwritten: Unwritten) => reports.push(unwritten) } }
}

describe('writeVerdict', () => {
  test('writes the status, headers and body to a fresh response, and reports nothing', () => {
    const { res, written } = response()
    const { reports, guard } = reporter()
    writeVerdict(guard, res, verdict)
    expect(written).toEqual([202, verdict.headers, '{}'])
    expect(reports).toEqual([])
  })

  test.each([
    ['headers already sent', { headersSent: true }, 'response_started'],
    ['the response ended', { writableEnded: true }, 'response_started'],
    ['the client gone', { destroyed: true }, 'connection_closed'],
    ['both: what answered first is the cause', { headersSent: true, destroyed: true }, 'response_started'],
  ] as const)('writes nothing with %s, and reports it', (_, state, reason) => {
    const { res, written } = response(state)
    const { reports, guard } = reporter()
    writeVerdict(guard, res, verdict)
    expect(written).toEqual([])
    expect(reports).toEqual([{ reason, verdict }])
  })

  test('a write that throws is caught and reported with the error', () => {
    const failure = Object.assign(new Error('Cannot write headers after they are sent'), {
      code: 'ERR_HTTP_HEADERS_SENT',
    })
    const { res } = response({}, failure)
    const { reports, guard } = reporter()
    expect(() => writeVerdict(guard, res, verdict)).not.toThrow()
    expect(reports).toEqual([{ reason: 'write_failed', verdict, error: failure }])
  })
})

describe('guard.reportUnwritten', () => {
  function loggedGuard(logger: Logger) {
    return createGuard({ verify: [bearerToken({ tokens: 'tok' })], enqueue: () => {}, dedupe: false, logger })
  }

  test('logs at warn what was not sent and why; a client that left at debug; the error described, not thrown', () => {
    const logged: [string, object, string | undefined][] = []
    const at = (level: string) => (record: object, message?: string) => logged.push([level, record, message])
    const guard = loggedGuard({ debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') })
    const event = { id: 'msg_1' } as Verdict['event']
    guard.reportUnwritten({ reason: 'response_started', verdict: { ...verdict, event } })
    guard.reportUnwritten({ reason: 'connection_closed', verdict: { ...verdict, status: 400, code: 'invalid_body' } })
    guard.reportUnwritten({ reason: 'write_failed', error: new TypeError('bad header') })
    expect(logged).toEqual([
      [
        'warn',
        { reason: 'response_started', status: 202, code: 'accepted', eventId: 'msg_1' },
        'webhook verdict not written',
      ],
      [
        'debug',
        { reason: 'connection_closed', status: 400, code: 'invalid_body', eventId: null },
        'webhook verdict not written',
      ],
      [
        'warn',
        { reason: 'write_failed', status: null, code: null, eventId: null, detail: 'TypeError: bad header' },
        'webhook verdict not written',
      ],
    ])
  })

  test('never throws, with no logger or with one that throws', () => {
    const throwing = () => {
      throw new Error('logger down')
    }
    const guard = loggedGuard({ info: throwing, warn: throwing, error: throwing })
    expect(() => guard.reportUnwritten({ reason: 'response_started', verdict })).not.toThrow()
    const silent = createGuard({ verify: [bearerToken({ tokens: 'tok' })], enqueue: () => {}, dedupe: false })
    expect(() => silent.reportUnwritten({ reason: 'response_started', verdict })).not.toThrow()
  })
})
