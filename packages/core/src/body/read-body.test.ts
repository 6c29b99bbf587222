import { PassThrough, Readable } from 'node:stream'
import { describe, expect, test } from 'vitest'
import { WebhookError } from '../errors.js'
import { readBody } from './read-body.js'

async function code(work: () => unknown): Promise<string> {
  try {
    await work()
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookError)
    return (error as WebhookError).code
  }
  return 'ok'
}

function webStream(chunks: Uint8Array[], stallAfter?: number): ReadableStream<Uint8Array> {
  let i = 0
  return new ReadableStream({
    pull(controller) {
      if (stallAfter !== undefined && i >= stallAfter) return new Promise(() => {})
      if (i < chunks.length) controller.enqueue(chunks[i++]!)
      else controller.close()
    },
  })
}

const bytes = (n: number, fill = 0x61) => new Uint8Array(n).fill(fill)

describe('readBody', () => {
  test('bytes, strings and nothing', async () => {
    expect(await readBody(bytes(3), 10, 100)).toEqual(bytes(3))
    expect(await readBody('é', 10, 100)).toEqual(new Uint8Array([0xc3, 0xa9]))
    expect(await readBody(undefined, 10, 100)).toEqual(new Uint8Array())
    expect(await code(() => readBody(bytes(11), 10, 100))).toBe('payload_too_large')
  })

  test('a Node stream is read whole, in order', async () => {
    const stream = Readable.from([Buffer.from('ab'), Buffer.from('cd')])
    expect(new TextDecoder().decode(await readBody(stream, 10, 100))).toBe('abcd')
  })

  test('a Node stream over the limit stops at the limit', async () => {
    const stream = new PassThrough()
    const reading = code(() => readBody(stream, 10, 1000))
    stream.write(bytes(6))
    stream.write(bytes(6))
    expect(await reading).toBe('payload_too_large')
  })

  test('a Node stream that stalls times out with body_timeout', async () => {
    const stream = new PassThrough()
    const reading = code(() => readBody(stream, 100, 30))
    stream.write(bytes(5))
    expect(await reading).toBe('body_timeout')
  })

  test('a Node stream that trickles inside the idle limit times out at its deadline', async () => {
    const stream = new PassThrough()
    const reading = code(() => readBody(stream, 1000, 200, 150))
    let sent = 0
    // 300 bytes, 20 ms apart: 6 s in all, with no pause near the idle limit.
    const timer = setInterval(() => (++sent < 300 ? stream.write(bytes(1)) : stream.end()), 20)
    try {
      expect(await reading).toBe('body_timeout')
    } finally {
      clearInterval(timer)
    }
  })

  test('a Node stream closed before its end is invalid_body', async () => {
    const stream = new PassThrough()
    const reading = code(() => readBody(stream, 100, 1000))
    stream.write(bytes(5))
    stream.destroy()
    expect(await reading).toBe('invalid_body')
  })

  test('a Web stream is read whole, limited, and timed out when it stalls', async () => {
    expect(await readBody(webStream([bytes(2), bytes(2, 0x62)]), 10, 100)).toEqual(
      new Uint8Array([0x61, 0x61, 0x62, 0x62]),
    )
    expect(await code(() => readBody(webStream([bytes(6), bytes(6)]), 10, 100))).toBe('payload_too_large')
    expect(await code(() => readBody(webStream([bytes(2), bytes(2)], 1), 10, 30))).toBe('body_timeout')
  })

  test('a Web stream that trickles inside the idle limit times out at its deadline', async () => {
    let sent = 0
    const trickling = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((resolve) => setTimeout(resolve, 20))
        if (sent++ < 300) controller.enqueue(bytes(1))
        else controller.close()
      },
    })
    const failure = await Promise.resolve(readBody(trickling, 10_000, 200, 150)).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(failure).toMatchObject({ code: 'body_timeout', detail: expect.stringMatching(/150 ms in all/) })
  })
})
