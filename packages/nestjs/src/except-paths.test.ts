import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { afterEach, expect, test } from 'vitest'
import { exceptPaths } from './except-paths.js'

let close: (() => void) | undefined
afterEach(() => close?.())

/** A Node server running `exceptPaths(['/hooks'], express.json(), express.urlencoded())`, echoing what it parsed. */
async function start(): Promise<string> {
  const parse = exceptPaths<IncomingMessage, ServerResponse>(
    ['/hooks/'],
    express.json(),
    express.urlencoded({ extended: true }),
  )
  const server = createServer((req, res) => {
    parse(req, res, (error) => {
      const body = (req as { body?: unknown }).body
      const answer = error === undefined ? { parsed: body ?? null, read: req.complete } : { error: String(error) }
      res.writeHead(error === undefined ? 200 : 400, { 'content-type': 'application/json' }).end(JSON.stringify(answer))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  close = () => server.close()
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

function post(url: string, body: string, type = 'application/json') {
  return fetch(url, { method: 'POST', headers: { 'content-type': type }, body }).then(async (r) => [
    r.status,
    await r.json(),
  ])
}

test('the webhook paths, under any case and with a query, get the body unread; every other path parsed', async () => {
  const url = await start()
  for (const path of ['/hooks', '/hooks/', '/hooks/DONE', '/HOOKS/done?x=1', '/Hooks?x=1'])
    expect(await post(`${url}${path}`, '{"n":1}')).toEqual([200, { parsed: null, read: false }])
  for (const path of ['/api/echo', '/hooksmith', '/', '/api/hooks'])
    expect(await post(`${url}${path}`, '{"n":1}')).toEqual([200, { parsed: { n: 1 }, read: true }])
  expect(await post(`${url}/api/echo`, 'a=1&b=2', 'application/x-www-form-urlencoded')).toEqual([
    200,
    { parsed: { a: '1', b: '2' }, read: true },
  ])
})

test("a parser's error goes to next", async () => {
  const url = await start()
  const [status, answer] = await post(`${url}/api/echo`, '{"n":')
  expect(status).toBe(400)
  expect(String((answer as { error: string }).error)).toMatch(/JSON|Unexpected/)
})

test('checks its arguments at creation', () => {
  const message = 'exceptPaths: paths must be a non-empty array of paths starting with /'
  for (const paths of [[], ['hooks'], [1], 'hooks'])
    expect(() => exceptPaths(paths as never)).toThrow(new TypeError(message))
  expect(() => exceptPaths(['/hooks'], 'json' as never)).toThrow(
    new TypeError('exceptPaths: middleware must be functions, such as express.json()'),
  )
})
