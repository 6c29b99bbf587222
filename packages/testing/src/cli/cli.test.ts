import { execFile, spawn } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createGuard, standardWebhooks, svix, type WebhookEvent } from '@hookguard/core'
import { Webhook } from 'svix'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { closedPort, type LocalServer, serveLocal } from '../../test-support/server.js'
import { generateSecret } from '../generate-secret.js'
import type { CliIo } from './io.js'
import { main } from './main.js'

const launcher = fileURLToPath(new URL('../../bin/hookguard.js', import.meta.url))
const { secret } = generateSecret('svix')

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs each command line in turn (a few at once is slow on a small machine: each one boots tsx). */
async function inTurn<const T extends readonly string[][]>(commands: T): Promise<{ [K in keyof T]: Run }> {
  const runs: Run[] = []
  for (const args of commands) runs.push(await hookguard([...args]))
  return runs as { [K in keyof T]: Run }
}

/** Runs the real binary; HOOKGUARD_FROM_SOURCE makes it run these sources rather than a possibly stale build. */
function hookguard(args: string[], env: Record<string, string> = { HOOKGUARD_FROM_SOURCE: '1' }): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [launcher, ...args],
      { env: { ...process.env, ...env, HOOKGUARD_SECRET: '' }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0
        resolve({ code, stdout, stderr })
      },
    )
  })
}

let dir: string
let healthy: LocalServer
let flaky: LocalServer
let broken: LocalServer
const enqueued: WebhookEvent[] = []
const flakyFailures = new Map<string, number>()

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hookguard-cli-'))
  const guard = createGuard({ verify: [standardWebhooks({ secret })], enqueue: (event) => void enqueued.push(event) })
  healthy = await serveLocal((request) => guard.handle(request))
  const flakyGuard = createGuard({ verify: [svix({ secret })], enqueue: () => {} })
  flaky = await serveLocal(async (request) => {
    const id = request.headers.get('svix-id') ?? ''
    const failed = flakyFailures.get(id) ?? 0
    flakyFailures.set(id, failed + 1)
    return failed < 2 ? new Response('busy', { status: 503 }) : flakyGuard.handle(request)
  })
  broken = await serveLocal(() => Response.json({ code: 'boom' }, { status: 500 }))
})

afterAll(async () => {
  await Promise.all([healthy.close(), flaky.close(), broken.close()])
  await rm(dir, { recursive: true, force: true })
})

describe('hookguard CLI (the real binary)', { timeout: 60_000 }, () => {
  test('--help for the CLI and for every command; no command is a usage error', async () => {
    const [all, sign, send, secretHelp, none, unknown] = await inTurn([
      ['--help'],
      ['sign', '--help'],
      ['send', '--help'],
      ['secret', '--help'],
      [],
      ['deploy'],
    ])
    expect(all).toMatchObject({ code: 0, stdout: expect.stringContaining('hookguard send   <url>') })
    expect(sign).toMatchObject({ code: 0, stdout: expect.stringContaining('ready curl line') })
    expect(send).toMatchObject({ code: 0, stdout: expect.stringContaining('--duplicates <0..1>') })
    expect(secretHelp).toMatchObject({ code: 0, stdout: expect.stringContaining('--asymmetric') })
    expect(none).toMatchObject({ code: 2, stderr: expect.stringContaining('Usage:') })
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "deploy"') })
  })

  test('--version and -v print the package version', async () => {
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'))
    const [long, short, help] = await inTurn([['--version'], ['-v'], ['--help']])
    expect(long).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' })
    expect(short).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' })
    expect(help.stdout).toContain('hookguard --version')
  })

  test('output into a reader that closes early (| head -1) ends quietly, without an EPIPE stack', async () => {
    const file = join(dir, 'big.json')
    await writeFile(file, JSON.stringify({ type: 'big', data: 'x'.repeat(4 * 1024 * 1024) }))
    const child = spawn(
      process.execPath,
      [launcher, 'sign', '--preset', 'svix', '--secret', secret, '--body', `@${file}`],
      {
        env: { ...process.env, HOOKGUARD_FROM_SOURCE: '1', HOOKGUARD_SECRET: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let stderr = ''
    let chunks = 0
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    child.stdout.once('data', () => {
      chunks++
      child.stdout.destroy()
    })
    const code = await new Promise((resolve) => child.on('close', resolve))
    expect(chunks).toBe(1)
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' })
  })

  test('--help works without forcing the sources (the build when there is one)', async () => {
    const run = await hookguard(['--help'], {})
    expect(run).toMatchObject({ code: 0, stdout: expect.stringContaining('Exit codes: 0 ok') })
  })

  test('secret: svix whsec_, an Ed25519 pair, JSON', async () => {
    const [plain, pair, json] = await inTurn([
      ['secret', '--preset', 'svix'],
      ['secret', '--preset', 'standard-webhooks', '--asymmetric'],
      ['secret', '--preset', 'github', '--json'],
    ])
    expect(plain.code).toBe(0)
    const generated = plain.stdout.trim()
    expect(generated).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/)
    expect(() => svix({ secret: generated })).not.toThrow()
    expect(pair.stdout).toMatch(/^# secret.*\nwhsk_\S+\n# public key.*\nwhpk_\S+\n$/)
    expect(JSON.parse(json.stdout).secret).toMatch(/^[0-9a-f]{40}$/)
  })

  test('sign: headers the svix package accepts, a body from a file, and a curl line', async () => {
    const file = join(dir, 'event.json')
    const body = '{"type":"scan.completed","data":{"note":"it\'s here"}}'
    await writeFile(file, body)
    const run = await hookguard([
      'sign',
      '--preset',
      'svix',
      '--secret',
      secret,
      '--body',
      `@${file}`,
      '--id',
      'msg_cli_1',
    ])
    expect(run.code).toBe(0)
    const [headerBlock, curl] = run.stdout.split('\n\n') as [string, string]
    const headers = Object.fromEntries(headerBlock.split('\n').map((line) => line.split(': ') as [string, string]))
    expect(headers['svix-id']).toBe('msg_cli_1')
    expect(() => new Webhook(secret).verify(body, headers)).not.toThrow() // svix 2 returns nothing; a refusal throws
    expect(curl).toContain("curl -sS -X POST http://127.0.0.1:3000/hooks -H 'content-type: application/json'")
    expect(curl).toContain(`-H 'svix-id: msg_cli_1'`)
    expect(curl).toContain(`--data-binary '{"type":"scan.completed","data":{"note":"it'\\''s here"}}'`)
  })

  test('sign: a private key of the wrong type is one line on stderr and exit 2, not a stack trace', async () => {
    const ed = join(dir, 'ed25519.pem')
    const ec = join(dir, 'ec.pem')
    await writeFile(ed, generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }))
    const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
    await writeFile(ec, ecKey.export({ format: 'pem', type: 'pkcs8' }))
    const runs = await inTurn([
      ['sign', '--preset', 'google-pubsub', '--private-key', `@${ed}`],
      ['sign', '--preset', 'google-pubsub', '--private-key', `@${ec}`],
    ])
    for (const run of runs) {
      expect(run).toMatchObject({ code: 2, stdout: '' })
      expect(run.stderr).toMatch(/^hookguard sign: google-pubsub: privateKey must be an RSA key for RS256 \(.*\)\n$/)
    }
  })

  test('send: every attempt shown with status, code and latency, then a summary; exit 0', async () => {
    const run = await hookguard([
      'send',
      `${healthy.origin}/hooks`,
      '--preset',
      'standard-webhooks',
      '--secret',
      secret,
      '--body',
      '{"type":"scan.completed"}',
      '--count',
      '3',
      '--duplicates',
      '1',
      '--concurrency',
      '2',
    ])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout.match(/^msg_\w+ {2}attempt 1 {4}202 {3}accepted +\d+ ms$/gm)).toHaveLength(3)
    expect(run.stdout.match(/^msg_\w+ {2}duplicate 1 {2}200 {3}duplicate +\d+ ms$/gm)).toHaveLength(3)
    expect(run.stdout).toMatch(/summary\n {2}events +3\n {2}delivered +3\n {2}failed +0\n/)
    expect(run.stdout).toMatch(/status 202 +3/)
  })

  test('send: a server that fails the first 2 attempts is retried on the schedule given', async () => {
    const run = await hookguard([
      'send',
      `${flaky.origin}/hooks`,
      '--preset',
      'svix',
      '--secret',
      secret,
      '--retry',
      '10,10,10',
      '--id',
      'msg_cli_flaky',
    ])
    expect(run.code).toBe(0)
    const lines = run.stdout.split('\n').filter((line) => line.startsWith('msg_cli_flaky'))
    expect(lines.map((line) => line.split(/ {2,}/).slice(1, 3))).toEqual([
      ['attempt 1', '503'],
      ['attempt 2', '503'],
      ['attempt 3', '202'],
    ])
    expect(run.stdout).toMatch(/retries +2/)
  })

  test('send: deliveries that never succeed exit 1', async () => {
    const run = await hookguard([
      'send',
      `${broken.origin}/hooks`,
      '--preset',
      'svix',
      '--secret',
      secret,
      '--retry',
      '5',
    ])
    expect(run.code).toBe(1)
    expect(run.stdout.match(/attempt \d +500 +boom/g)).toHaveLength(2)
    expect(run.stderr).toContain('1 of 1 events were not delivered')
  })

  test('send: an unreachable URL exits 3 with a clear message', async () => {
    const port = await closedPort()
    const run = await hookguard([
      'send',
      `http://127.0.0.1:${port}/hooks`,
      '--preset',
      'svix',
      '--secret',
      secret,
      '--retry',
      'none',
    ])
    expect(run.code).toBe(3)
    expect(run.stderr).toContain(`could not reach http://127.0.0.1:${port}/hooks: ECONNREFUSED`)
  })

  test('usage errors exit 2: a wrong preset lists the valid ones, a missing secret, a bad URL, a bad number', async () => {
    const [preset, missing, url, duplicates, option] = await inTurn([
      ['send', `${healthy.origin}/hooks`, '--preset', 'paypal', '--secret', secret],
      ['send', `${healthy.origin}/hooks`, '--preset', 'stripe'],
      ['send', 'localhost-3000', '--preset', 'svix', '--secret', secret],
      ['send', `${healthy.origin}/hooks`, '--preset', 'svix', '--secret', secret, '--duplicates', '2'],
      ['secret', '--preset', 'svix', '--length', '3'],
    ])
    expect(preset.code).toBe(2)
    expect(preset.stderr).toContain(
      'unknown preset "paypal": use one of standard-webhooks, svix, bearer, jwt, stripe, github, slack, shopify, qstash, google-pubsub',
    )
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining('missing --secret for stripe') })
    expect(url).toMatchObject({ code: 2, stderr: expect.stringContaining('"localhost-3000" is not a URL') })
    expect(duplicates).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--duplicates must be a number from 0 to 1'),
    })
    expect(option).toMatchObject({ code: 2, stderr: expect.stringContaining("Unknown option '--length'") })
  })
})

describe('send on a terminal', () => {
  test('draws a live progress line under the attempt lines, and clears it before the summary', async () => {
    let out = ''
    const io: CliIo = {
      out: (text) => {
        out += text
      },
      err: () => {},
      isTTY: true,
      readStdin: async () => new Uint8Array(),
      env: {},
    }
    const code = await main(
      ['send', `${healthy.origin}/hooks`, '--preset', 'standard-webhooks', '--secret', secret, '--count', '2'],
      io,
    )
    expect(code).toBe(0)
    expect(out).toContain('\r\x1b[2K')
    expect(out).toMatch(/\[1\/2 events\] 1 attempts, 0 not 2xx/)
    expect(out).toMatch(/\[2\/2 events\] 2 attempts, 0 not 2xx\r\x1b\[2K\nsummary/)
  })
})
