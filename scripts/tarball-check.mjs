// The packages as users get them. Packs every package, installs the tarballs (and the frameworks, at what npm
// picks today) into a fresh project outside the monorepo, and in four flavours of app (ESM TypeScript `nodenext`;
// CommonJS TypeScript `node16` and `commonjs`; plain CommonJS JavaScript, type-checked with checkJs) loads every
// package, type-checks (hookguard's own declarations also with skipLibCheck off), and runs one signed delivery
// through Express, Koa, Hono on @hono/node-server, Fastify, NestJS (Express platform, rawBody: true), Next.js's App
// Router and Pages Router handlers, plain node:http and guard.handle (a JWT one, so the bundled jose runs too).
// Usage: node scripts/tarball-check.mjs [--keep]   (builds first; exits 1 on any failure)
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const keep = process.argv.includes('--keep')
const work = mkdtempSync(join(tmpdir(), 'hookguard-tarballs-'))
const started = Date.now()
const run = (command, args, cwd) => {
  console.log(`::: ${cwd === root ? '' : `(${cwd.slice(work.length + 1) || 'project'}) `}${command} ${args.join(' ')}`)
  execFileSync(command, args, { cwd, stdio: 'inherit', timeout: 180_000 })
}

const packages = readdirSync(join(root, 'packages')).map((dir) => {
  const manifest = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'))
  return { dir, name: manifest.name, file: `${manifest.name.slice(1).replace('/', '-')}-${manifest.version}.tgz` }
})

try {
  run('npx', ['turbo', 'run', 'build', '--output-logs=errors-only'], root)
  const tarballs = join(work, 'tarballs')
  mkdirSync(tarballs)
  run('npm', ['pack', '--silent', '--pack-destination', tarballs, ...packages.map((p) => `-w=packages/${p.dir}`)], root)

  // One install (the tarballs, the frameworks and what the packages peer on, at what npm picks today) shared by
  // the app folders below it, each with its own package.json `type` and tsconfig.
  const project = join(work, 'project')
  mkdirSync(project)
  const dependencies = Object.fromEntries(packages.map((p) => [p.name, `file:${join(tarballs, p.file)}`]))
  for (const name of ['express', 'koa', 'hono', '@hono/node-server', 'fastify', 'ioredis', 'pg', 'bullmq', 'nats'])
    dependencies[name] = '*'
  dependencies.amqplib = '*'
  for (const name of ['@nestjs/common', '@nestjs/core', '@nestjs/platform-express']) dependencies[name] = '^11'
  Object.assign(dependencies, { 'reflect-metadata': '*', rxjs: '*' })
  // @octokit/webhooks-types: the optional, types-only peer of @hookguard/core/types/github.
  const types = {
    '@types/node': '^20',
    '@types/express': '*',
    '@types/koa': '*',
    '@types/pg': '*',
    '@octokit/webhooks-types': '*',
  }
  const devDependencies = { typescript: '~5.9', ...types }
  writeJson(join(project, 'package.json'), { name: 'tarball-check', private: true, dependencies, devDependencies })
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], project)
  run('npm', ['ls', '--depth=0'], project) // fails on an invalid tree (a peer range npm overrode)

  for (const flavour of flavours()) {
    const dir = join(project, flavour.name)
    mkdirSync(dir)
    writeJson(join(dir, 'package.json'), { type: flavour.type })
    writeJson(join(dir, 'tsconfig.json'), { compilerOptions: flavour.compilerOptions, files: [flavour.file] })
    writeFileSync(join(dir, flavour.file), flavour.source)
    run('npx', ['tsc', '-p', 'tsconfig.json'], dir)
    ownDeclarationsCheck(dir)
    // --no-experimental-require-module: require() of an ES module fails as on Node 20.0-20.18 (ERR_REQUIRE_ESM), so
    // the CommonJS apps prove the CommonJS build (jose included) is what they load.
    run('node', [...(flavour.type === 'commonjs' ? ['--no-experimental-require-module'] : []), flavour.run], dir)
  }
  console.log(`::: tarball check passed in ${Math.round((Date.now() - started) / 1000)} s`)
} catch (error) {
  console.error(`::: tarball check FAILED: ${error.message}`)
  process.exitCode = 1
} finally {
  if (keep) console.log(`::: kept ${work}`)
  else rmSync(work, { recursive: true, force: true })
}

// skipLibCheck stays on for the app, as in most projects (third-party typings such as @types/koa's do not all
// pass without it); hookguard's own declarations must: a second pass without it may report nothing in them.
function ownDeclarationsCheck(dir) {
  console.log('::: tsc --skipLibCheck false, for errors in @hookguard declarations')
  let output = ''
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.json', '--skipLibCheck', 'false', '--noEmit'], {
      cwd: dir,
      encoding: 'utf8',
    })
  } catch (error) {
    output = String(error.stdout)
  }
  const ours = output.split('\n').filter((line) => line.includes('node_modules/@hookguard/'))
  if (ours.length > 0) throw new Error(`errors in the shipped declarations:\n${ours.join('\n')}`)
}

function writeJson(file, value) {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`)
}

function flavours() {
  const strict = { strict: true, skipLibCheck: true, target: 'ES2022', types: ['node'], esModuleInterop: true }
  return [
    {
      name: 'esm-ts',
      type: 'module',
      file: 'app.ts',
      run: 'out/app.js',
      compilerOptions: { ...strict, module: 'nodenext', moduleResolution: 'nodenext', outDir: 'out' },
      source: app('import'),
    },
    {
      name: 'cjs-ts',
      type: 'commonjs',
      file: 'app.ts',
      run: 'out/app.js',
      compilerOptions: { ...strict, module: 'node16', moduleResolution: 'node16', outDir: 'out' },
      source: app('import'),
    },
    {
      name: 'cjs-ts-commonjs',
      type: 'commonjs',
      file: 'app.ts',
      run: 'out/app.js',
      compilerOptions: { ...strict, module: 'commonjs', outDir: 'out' }, // moduleResolution node10: main, types
      source: app('import'),
    },
    {
      name: 'cjs-js',
      type: 'commonjs',
      file: 'app.js',
      run: 'app.js',
      compilerOptions: {
        ...strict,
        module: 'node16',
        allowJs: true,
        checkJs: true,
        noEmit: true,
        noImplicitAny: false,
      },
      source: app('require'),
    },
  ]
}

// The app: every package loaded; one signed delivery through each adapter, checked to reach enqueue.
function app(style) {
  const load = (names, from) =>
    style === 'import'
      ? `import { ${names} } from '${from}'`
      : `const { ${names.replace(/ as /g, ': ')} } = require('${from}')`
  const loadDefault = (name, from) =>
    style === 'import' ? `import ${name} from '${from}'` : `const ${name} = require('${from}')`
  const loadAll = (name, from) =>
    style === 'import' ? `import * as ${name} from '${from}'` : `const ${name} = require('${from}')`
  const ts = style === 'import'
  const others = packages.filter((p) => !['@hookguard/core', '@hookguard/testing'].includes(p.name))
  return `${[
    load('createGuard, jwt, standardWebhooks, WebhookError', '@hookguard/core'),
    load('fromNodeRequest, fromWebRequest, writeVerdict', '@hookguard/core/adapter'),
    // The type packs: types only, but their subpaths load too.
    loadAll('stripeTypes', '@hookguard/core/types/stripe'),
    loadAll('githubTypes', '@hookguard/core/types/github'),
    load('generateSecret, signRequest', '@hookguard/testing'),
    load('hookguard as expressHookguard', '@hookguard/express'),
    load('hookguard as koaHookguard', '@hookguard/koa'),
    load('hookguard as honoHookguard', '@hookguard/hono'),
    load('hookguard as fastifyHookguard', '@hookguard/fastify'),
    load('HookguardModule, HookguardService', '@hookguard/nestjs'),
    load('webhookApiRoute, webhookRoute', '@hookguard/next'),
    ...others.map((p, i) => loadAll(`other${i}`, p.name)),
    loadDefault('express', 'express'),
    loadDefault('Fastify', 'fastify'),
    load('All, Controller, Inject, Module, Req, Res', '@nestjs/common'),
    load('NestFactory', '@nestjs/core'),
    load('createServer', 'node:http'),
    loadDefault('Koa', 'koa'),
    load('Hono', 'hono'),
    load('serve', '@hono/node-server'),
    load('once', 'node:events'),
  ].join('\n')}

const others = { ${others.map((p, i) => `'${p.name}': other${i}`).join(', ')} }
for (const [name, module] of Object.entries(others))
  if (Object.keys(module).length === 0) throw new Error(name + ' exports nothing')
if (typeof fromWebRequest !== 'function') throw new Error('@hookguard/core/adapter: no fromWebRequest')
if (typeof stripeTypes !== 'object' || typeof githubTypes !== 'object') throw new Error('a type pack did not load')
${
  style === 'import'
    ? `const stripeType: import('@hookguard/core/types/stripe').StripeEventType = 'invoice.paid'
const githubType: import('@hookguard/core/types/github').GitHubEventType = 'push'`
    : `/** @type {import('@hookguard/core/types/stripe').StripeEventType} */
const stripeType = 'invoice.paid'
/** @type {import('@hookguard/core/types/github').GitHubEventType} */
const githubType = 'push'`
}
if (stripeType + githubType !== 'invoice.paidpush') throw new Error('type packs')
if (!(new WebhookError('invalid_body') instanceof Error)) throw new Error('WebhookError is not an Error')

const received = new Set()
const { secret } = generateSecret('standard-webhooks')
const guard = createGuard({
  verify: [standardWebhooks({ secret })],
  enqueue: async (event) => {
    received.add(event.id)
  },
})

async function listening(server${style === 'import' ? ': import("node:http").Server' : ''}) {
  if (!server.listening) await once(server, 'listening')
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return 'http://127.0.0.1:' + address.port + '/hooks'
}

async function deliver(name${style === 'import' ? ': string' : ''}, url${style === 'import' ? ': string' : ''}) {
  const signed = await signRequest('standard-webhooks', { secret, body: { type: 'check', adapter: name } })
  const response = await fetch(url, { method: 'POST', headers: signed.headers, body: signed.body })
  if (response.status !== 202) throw new Error(name + ': ' + response.status + ' ' + (await response.text()))
  if (!received.has(signed.id ?? '')) throw new Error(name + ': the event did not reach enqueue')
  console.log('ok ' + name)
}

const expressApp = express()
expressApp.post('/hooks', expressHookguard(guard))
const expressServer = expressApp.listen(0, '127.0.0.1')

const koaApp = new Koa()
koaApp.use(koaHookguard(guard))
const koaServer = koaApp.listen(0, '127.0.0.1')

const honoApp = new Hono()
honoApp.post('/hooks', honoHookguard(guard))
const honoServer = serve({ fetch: honoApp.fetch, port: 0, hostname: '127.0.0.1' })${style === 'import' ? ' as import("node:http").Server' : ''}

const fastifyApp = Fastify()
fastifyApp.register(fastifyHookguard, { guard, url: '/hooks' })

// A Nest controller, its decorators applied as calls (plain JavaScript has no decorator syntax).
class HooksController {
  hookguard${ts ? ': InstanceType<typeof HookguardService>' : ''}
  constructor(hookguard${ts ? ': InstanceType<typeof HookguardService>' : ''}) {
    this.hookguard = hookguard
  }
  receive(req${ts ? ': object' : ''}, res${ts ? ': object' : ''}) {
    return this.hookguard.handle(req, res)
  }
}
Inject(HookguardService)(HooksController, undefined, 0)
Req()(HooksController.prototype, 'receive', 0)
Res()(HooksController.prototype, 'receive', 1)
const receive = Object.getOwnPropertyDescriptor(HooksController.prototype, 'receive')
if (receive === undefined) throw new Error('no receive method')
All()(HooksController.prototype, 'receive', receive)
Controller('hooks')(HooksController)
class AppModule {}
Module({ imports: [HookguardModule.forRoot({ guard })], controllers: [HooksController] })(AppModule)

// Next.js: the App Router handler called as Next calls it; the Pages Router one on node:http, as under next start.
const nextPost = webhookRoute(guard)
const pagesServer = createServer((req, res) => {
  webhookApiRoute(guard)(Object.assign(req, { query: {} }), res)
}).listen(0, '127.0.0.1')
const nodeServer = createServer((req, res) => {
  guard.process(fromNodeRequest(req)).then((verdict) => writeVerdict(guard, res, verdict))
}).listen(0, '127.0.0.1')

async function main() {
  try {
    await deliver('express', await listening(expressServer))
    await deliver('koa', await listening(koaServer))
    await deliver('hono', await listening(honoServer))
    await fastifyApp.listen({ port: 0, host: '127.0.0.1' })
    await deliver('fastify', await listening(fastifyApp.server))
    const nestApp = await NestFactory.create(AppModule, { rawBody: true, logger: false })
    await nestApp.listen(0, '127.0.0.1')
    await deliver('nestjs', await listening(nestApp.getHttpServer()))
    await nestApp.close()
    await deliver('next pages router', await listening(pagesServer))
    await deliver('node:http', await listening(nodeServer))
    const nextSigned = await signRequest('standard-webhooks', { secret, body: { type: 'check', adapter: 'next' } })
    const nextRequest = new Request('http://localhost/api/hooks', { method: 'POST', headers: nextSigned.headers, body: nextSigned.body })
    const nextResponse = await nextPost(nextRequest, { params: Promise.resolve({}) })
    if (nextResponse.status !== 202 || !received.has(nextSigned.id ?? ''))
      throw new Error('next app router: ' + nextResponse.status + ' ' + (await nextResponse.text()))
    console.log('ok next app router')

    const jwtSecret = generateSecret('jwt').secret
    const jwtGuard = createGuard({
      verify: [jwt({ secret: jwtSecret, algorithms: ['HS256'], issuer: 'acme', audience: 'hooks' })],
      eventId: { payload: 'id' },
      enqueue: async (event) => {
        received.add(event.id)
      },
    })
    const body = { id: 'evt_jwt_1', type: 'check' }
    const signed = await signRequest('jwt', { secret: jwtSecret, issuer: 'acme', audience: 'hooks', body })
    const response = await jwtGuard.handle(new Request('http://localhost/hooks', signed))
    if (response.status !== 202 || !received.has('evt_jwt_1'))
      throw new Error('guard.handle: ' + response.status + ' ' + (await response.text()))
    console.log('ok guard.handle (jwt)')
  } finally {
    for (const server of [expressServer, koaServer, honoServer, pagesServer, nodeServer]) server.close()
    await fastifyApp.close()
  }
}
main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
`
}
