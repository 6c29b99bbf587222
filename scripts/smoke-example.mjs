// Boots one example server, sends it one signed Standard Webhooks delivery and
// checks that it answers 202. Usage: node scripts/smoke-example.mjs examples/express
import { spawn } from 'node:child_process'
import { createHmac, randomUUID } from 'node:crypto'

const dir = process.argv[2]
const port = 40_000 + Math.floor(Math.random() * 10_000)
const secretBytes = Buffer.from(randomUUID())
const secret = `whsec_${secretBytes.toString('base64')}`
const child = spawn('npm', ['start'], {
  cwd: dir,
  env: {
    ...process.env,
    PORT: String(port),
    METRICS_PORT: String(port + 1),
    HOST: '127.0.0.1',
    WEBHOOK_SECRET: secret,
  },
  stdio: ['ignore', 'pipe', 'inherit'],
  detached: true,
})
let output = ''
child.stdout.on('data', (chunk) => {
  output += chunk
})
const stop = (code) => {
  try {
    process.kill(-child.pid, 'SIGTERM')
  } catch {}
  process.exit(code)
}
setTimeout(() => {
  console.error(`${dir}: no answer within 30 s\n${output}`)
  stop(1)
}, 30_000).unref()

async function send() {
  const id = `msg_${randomUUID()}`
  const timestamp = String(Math.floor(Date.now() / 1000))
  const body = JSON.stringify({ type: 'scan.completed', data: { scanId: 'smoke' } })
  const signature = createHmac('sha256', secretBytes).update(`${id}.${timestamp}.${body}`).digest('base64')
  return fetch(`http://127.0.0.1:${port}/hooks/COMPLETED`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': timestamp,
      'webhook-signature': `v1,${signature}`,
    },
    body,
  })
}

for (;;) {
  try {
    const response = await send()
    const text = await response.text()
    console.log(`${dir}: ${response.status} ${text}`)
    await new Promise((r) => setTimeout(r, 300))
    const processed = output.includes('processing')
    if (response.status === 202 && processed) stop(0)
    console.error(`${dir}: expected 202 and a processed event\n${output}`)
    stop(1)
  } catch {
    await new Promise((r) => setTimeout(r, 250))
  }
}
