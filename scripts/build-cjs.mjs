// The CommonJS build of one package, run in the package folder after `tsc -p tsconfig.build.json` (the ESM build).
// esbuild turns each source file into one CommonJS file under dist/cjs, keeping every import as it is (so the
// module graph, and with it each class and symbol, stays one instance per package), except `jose`: jose 6 is
// ESM only, so it is bundled once into dist/cjs/vendor/jose.js and required from there. dist/cjs/package.json says
// `"type": "commonjs"`, so the same relative `./x.js` paths work, and the ESM build's declarations are copied
// beside the files as CommonJS declarations, with jose's types imported the way TypeScript allows there.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { build } from 'esbuild'

const esmOnly = ['jose']
const out = 'dist/cjs'

const manifest = JSON.parse(await readFile('package.json', 'utf8'))
const files = await reachable([...requireTargets(manifest.exports), ...importTargets(manifest.imports)])

await rm(out, { recursive: true, force: true })
const vendored = new Set()
const result = await build({
  entryPoints: files,
  outdir: out,
  outbase: 'src',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  metafile: true,
  plugins: [
    {
      name: 'keep-imports',
      setup(builder) {
        builder.onResolve({ filter: /.*/ }, (args) => {
          if (args.kind === 'entry-point') return undefined
          if (!esmOnly.includes(args.path)) return { path: args.path, external: true }
          vendored.add(args.path)
          const from = join(out, relative('src', dirname(args.importer)))
          const target = relative(from, join(out, 'vendor', `${args.path}.js`))
          return { path: target.startsWith('.') ? target : `./${target}`, external: true }
        })
      },
    },
  ],
})
if (result.errors.length > 0) process.exit(1)
for (const name of vendored) {
  await build({
    stdin: { contents: `module.exports = require(${JSON.stringify(name)})`, resolveDir: process.cwd() },
    outfile: join(out, 'vendor', `${name}.js`),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  })
}
// `#` imports resolve against the nearest package.json, which for these files is this one: it carries them too.
const scope = { type: 'commonjs', ...(manifest.imports && { imports: insideCjs(manifest.imports) }) }
await writeFile(join(out, 'package.json'), `${JSON.stringify(scope, null, 2)}\n`)

// Declarations: the ESM ones, read as CommonJS. An ESM-only package's types are imported type-only with
// resolution-mode 'import' (TypeScript >= 5.3), which CommonJS declaration files may do.
const declarations = (await readdir('dist', { recursive: true })).filter(
  (file) => file.endsWith('.d.ts') && !file.startsWith('cjs'),
)
for (const file of declarations) {
  let text = await readFile(join('dist', file), 'utf8')
  for (const name of esmOnly) text = rewriteTypeImports(text, name)
  await mkdir(dirname(join(out, file)), { recursive: true })
  await writeFile(join(out, file), text)
}

// The sources behind the `require` targets in `exports` (./dist/cjs/x.js is built from src/x.ts).
function requireTargets(exportsMap) {
  const found = []
  const walk = (value, inRequire) => {
    if (typeof value === 'string') {
      if (inRequire && value.endsWith('.js')) found.push(value)
    } else if (value !== null && typeof value === 'object') {
      for (const [condition, inner] of Object.entries(value)) walk(inner, inRequire || condition === 'require')
    }
  }
  walk(exportsMap, false)
  return found.map((target) => target.replace(/^\.\/dist\/cjs\/(.*)\.js$/, 'src/$1.ts'))
}

// The sources behind the `imports` targets (./dist/x.js is built from src/x.ts).
function importTargets(importsMap = {}) {
  const targets = JSON.stringify(importsMap).match(/"\.\/dist\/[^"]*\.js"/g) ?? []
  return targets.map((target) => target.slice(1, -1).replace(/^\.\/dist\/(.*)\.js$/, 'src/$1.ts'))
}

// The package's `imports` as seen from dist/cjs: no `source` condition, ./dist/x → ./x.
function insideCjs(value) {
  if (typeof value === 'string') return value.replace(/^\.\/dist\//, './')
  return Object.fromEntries(
    Object.entries(value)
      .filter(([condition]) => condition !== 'source')
      .map(([condition, inner]) => [condition, insideCjs(inner)]),
  )
}

// Every source file those entries reach through relative imports (so a module only ESM entries use, such as the
// CLI's, is not built for CommonJS).
async function reachable(entries) {
  const scan = await build({
    entryPoints: entries,
    bundle: true,
    write: false,
    outdir: 'unused',
    metafile: true,
    logLevel: 'silent',
    plugins: [
      {
        name: 'relative-only',
        setup(builder) {
          builder.onResolve({ filter: /^[^.]/ }, (args) =>
            args.kind === 'entry-point' ? undefined : { path: args.path, external: true },
          )
        },
      },
    ],
  })
  return Object.keys(scan.metafile.inputs).filter((file) => file.startsWith('src/'))
}

function rewriteTypeImports(text, name) {
  const quoted = `['"]${name}['"]`
  const attribute = `with { 'resolution-mode': 'import' }`
  const rewritten = text
    .replace(
      new RegExp(`import (type )?\\{([^}]*)\\} from ${quoted};`, 'g'),
      (_, _type, names) => `import type {${names.replace(/\btype /g, '')}} from '${name}' ${attribute};`,
    )
    .replace(new RegExp(`import\\(${quoted}\\)`, 'g'), `import('${name}', { ${attribute} })`)
  const left = rewritten.split('\n').filter((line) => new RegExp(`from ${quoted};$`).test(line))
  if (left.length > 0) throw new Error(`build-cjs: cannot rewrite for CommonJS: ${left.join(' / ')}`)
  return rewritten
}
