#!/usr/bin/env node
// The hookguard CLI launcher. Runs the built dist/cli/main.js; when it is not
// built (or HOOKGUARD_FROM_SOURCE=1), runs the TypeScript sources with tsx.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const built = new URL('../dist/cli/main.js', import.meta.url)
const source = new URL('../src/cli/bin.ts', import.meta.url)
const args = process.argv.slice(2)

async function runBuilt() {
  if (process.env.HOOKGUARD_FROM_SOURCE === '1' || !existsSync(built)) return false
  try {
    const { main } = await import(built.href)
    process.exitCode = await main(args)
    return true
  } catch (error) {
    // A dependency is not built yet: fall back to the sources.
    if (error?.code === 'ERR_MODULE_NOT_FOUND') return false
    throw error
  }
}

function resolveTsx() {
  try {
    return import.meta.resolve('tsx')
  } catch {
    return undefined
  }
}

function runSource() {
  const tsx = resolveTsx()
  if (tsx === undefined || !existsSync(source)) {
    console.error('hookguard: the CLI is not built: run npm run build first (at the repository root)')
    process.exit(2)
  }
  const child = spawn(process.execPath, ['--conditions=source', '--import', tsx, fileURLToPath(source), ...args], {
    stdio: 'inherit',
  })
  // Ctrl-C reaches the child too (same process group): let it finish and print its summary.
  const ignore = () => {}
  process.on('SIGINT', ignore)
  process.on('SIGTERM', () => child.kill('SIGTERM'))
  child.on('exit', (code, signal) => {
    process.off('SIGINT', ignore)
    if (signal) process.kill(process.pid, signal)
    else process.exit(code ?? 1)
  })
}

if (!(await runBuilt())) runSource()
