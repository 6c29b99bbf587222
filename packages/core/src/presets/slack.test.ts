import { createHmac } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { createGuard } from '../guard.js'
import type { WebhookEvent } from '../types.js'
import { slack } from './slack.js'

// Slack's documented example ("Verifying requests from Slack"): a slash command, form-encoded.
const docSecret = '8f742231b10e8888abcd99yyyzzz85a5'
const docTimestamp = 1531420618
const docBody =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c'
const docSignature = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503'

const signingSecret = 'e2b7c3a1d4f5061728394a5b6c7d8e9f'
const event = JSON.stringify({
  type: 'event_callback',
  event_id: 'Ev0PV52K21',
  event: { type: 'app_mention', text: 'hi' },
})

function sign(timestamp: number, body: string, secret = signingSecret): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`
}

async function send(
  headers: Record<string, string>,
  options: { body?: string; nowMs?: number; secret?: string; contentType?: string } = {},
) {
  const events: WebhookEvent[] = []
  const guard = createGuard({
    verify: [slack({ signingSecret: options.secret ?? signingSecret })],
    enqueue: (e) => void events.push(e),
    ...(options.nowMs === undefined ? {} : { now: () => options.nowMs as number, dedupe: false as const }),
  })
  const response = await guard.handle(
    new Request('http://hooks.test/slack', {
      method: 'POST',
      body: options.body ?? event,
      headers: { 'content-type': options.contentType ?? 'application/json', ...headers },
    }),
  )
  return { status: response.status, code: ((await response.json()) as { code: string }).code, events }
}

const now = () => Math.floor(Date.now() / 1000)

describe('slack preset', () => {
  test("Slack's documented example verifies (at its own time)", async () => {
    const result = await send(
      { 'x-slack-signature': docSignature, 'x-slack-request-timestamp': String(docTimestamp) },
      {
        body: docBody,
        secret: docSecret,
        nowMs: (docTimestamp + 5) * 1000,
        contentType: 'application/x-www-form-urlencoded',
      },
    )
    expect(result.status).toBe(202)
    expect(result.events[0]?.timestamp).toBe(docTimestamp)
  })

  test('an Events API callback: id from event_id, type from event.type', async () => {
    const t = now()
    const { status, events } = await send({ 'x-slack-signature': sign(t, event), 'x-slack-request-timestamp': `${t}` })
    expect(status).toBe(202)
    expect(events[0]).toMatchObject({ id: 'Ev0PV52K21', type: 'app_mention', timestamp: t })
  })

  test('tampered body and wrong secret', async () => {
    const t = now()
    const headers = { 'x-slack-signature': sign(t, event), 'x-slack-request-timestamp': `${t}` }
    expect(await send(headers, { body: event.replace('hi', 'ho') })).toMatchObject({
      status: 401,
      code: 'invalid_signature',
    })
    const wrong = { 'x-slack-signature': sign(t, event, 'another-secret'), 'x-slack-request-timestamp': `${t}` }
    expect((await send(wrong)).code).toBe('invalid_signature')
  })

  test('the five-minute window, and the timestamp is part of what is signed', async () => {
    const old = now() - 301
    expect((await send({ 'x-slack-signature': sign(old, event), 'x-slack-request-timestamp': `${old}` })).code).toBe(
      'timestamp_too_old',
    )
    const edge = now() - 290
    expect(
      (await send({ 'x-slack-signature': sign(edge, event), 'x-slack-request-timestamp': `${edge}` })).status,
    ).toBe(202)
    const t = now()
    expect((await send({ 'x-slack-signature': sign(t - 1, event), 'x-slack-request-timestamp': `${t}` })).code).toBe(
      'invalid_signature',
    )
    expect((await send({ 'x-slack-signature': sign(t, event) })).code).toBe('invalid_timestamp')
  })
})
