/**
 * `npm run bench:scaling:chart`: draws bench/scaling.svg from the committed
 * numbers in bench/scaling-results.json (written by a full `npm run
 * bench:scaling`). Plain SVG, no chart library: one panel per curve, a log
 * scale on x (and on y where a curve spans decades), points joined by lines.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

interface Series {
  name: string
  points: [number, number][]
  dashed?: boolean
}

interface Panel {
  title: string
  x: string
  y: string
  yLog?: boolean
  series: Series[]
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))
const colors = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf', '#7f7f7f']
const width = 520
const height = 330
const margin = { left: 64, right: 16, top: 34, bottom: 92 }

const xmlText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

function compact(value: number): string {
  if (value >= 1e6) return `${value / 1e6}M`
  if (value >= 1e3) return `${value / 1e3}k`
  return `${Number(value.toPrecision(3))}`
}

function size(value: number): string {
  if (value >= 1024 * 1024) return `${value / (1024 * 1024)} MiB`
  if (value >= 1024) return `${value / 1024} KiB`
  return `${value} B`
}

/** Ticks: the data's own x values; on y, powers of ten (log) or five even steps from 0 (linear). */
function drawPanel(panel: Panel, originX: number, originY: number, xFormat: (v: number) => string): string {
  const all = panel.series.flatMap((s) => s.points)
  const xs = [...new Set(all.map(([x]) => x))].sort((a, b) => a - b)
  const ys = all.map(([, y]) => y)
  const innerW = width - margin.left - margin.right
  const innerH = height - margin.top - margin.bottom
  const [xMin, xMax] = [Math.log10(xs[0] as number), Math.log10(xs.at(-1) as number)]
  const xAt = (x: number) =>
    originX + margin.left + (xMax === xMin ? innerW / 2 : ((Math.log10(x) - xMin) / (xMax - xMin)) * innerW)
  let yAt: (y: number) => number
  let yTicks: number[]
  if (panel.yLog) {
    const low = Math.floor(Math.log10(Math.min(...ys)))
    const high = Math.ceil(Math.log10(Math.max(...ys)))
    yTicks = Array.from({ length: high - low + 1 }, (_, i) => 10 ** (low + i))
    yAt = (y) => originY + margin.top + innerH - ((Math.log10(y) - low) / Math.max(1, high - low)) * innerH
  } else {
    const top = niceTop(Math.max(...ys))
    yTicks = Array.from({ length: 6 }, (_, i) => (top * i) / 5)
    yAt = (y) => originY + margin.top + innerH - (y / top) * innerH
  }
  const out: string[] = []
  const left = originX + margin.left
  const bottom = originY + margin.top + innerH
  out.push(`<text x="${originX + width / 2}" y="${originY + 20}" class="title">${xmlText(panel.title)}</text>`)
  out.push(`<line x1="${left}" y1="${bottom}" x2="${left + innerW}" y2="${bottom}" class="axis"/>`)
  out.push(`<line x1="${left}" y1="${originY + margin.top}" x2="${left}" y2="${bottom}" class="axis"/>`)
  for (const x of xs) {
    out.push(`<line x1="${xAt(x)}" y1="${bottom}" x2="${xAt(x)}" y2="${bottom + 4}" class="axis"/>`)
    out.push(`<text x="${xAt(x)}" y="${bottom + 16}" class="tick" text-anchor="middle">${xmlText(xFormat(x))}</text>`)
  }
  for (const y of yTicks) {
    out.push(`<line x1="${left}" y1="${yAt(y)}" x2="${left + innerW}" y2="${yAt(y)}" class="grid"/>`)
    out.push(`<text x="${left - 6}" y="${yAt(y) + 4}" class="tick" text-anchor="end">${xmlText(compact(y))}</text>`)
  }
  out.push(
    `<text x="${left + innerW / 2}" y="${bottom + 32}" class="label" text-anchor="middle">${xmlText(panel.x)}</text>`,
  )
  const yMid = originY + margin.top + innerH / 2
  out.push(
    `<text x="${originX + 14}" y="${yMid}" class="label" text-anchor="middle" transform="rotate(-90 ${originX + 14} ${yMid})">${xmlText(panel.y)}</text>`,
  )
  panel.series.forEach((series, i) => {
    const color = colors[i % colors.length]
    const path = series.points.map(([x, y]) => `${xAt(x).toFixed(1)},${yAt(y).toFixed(1)}`).join(' ')
    const dash = series.dashed ? ' stroke-dasharray="5 3"' : ''
    out.push(`<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`)
    for (const [x, y] of series.points) {
      out.push(`<circle cx="${xAt(x).toFixed(1)}" cy="${yAt(y).toFixed(1)}" r="3" fill="${color}"/>`)
    }
    // The legend, two columns under the axis label.
    const lx = left + (i % 2) * (innerW / 2)
    const ly = bottom + 50 + Math.floor(i / 2) * 14
    out.push(
      `<line x1="${lx}" y1="${ly - 4}" x2="${lx + 16}" y2="${ly - 4}" stroke="${color}" stroke-width="2"${dash}/>`,
    )
    out.push(`<text x="${lx + 20}" y="${ly}" class="legend">${xmlText(series.name)}</text>`)
  })
  return out.join('\n')
}

function niceTop(max: number): number {
  const step = 10 ** Math.floor(Math.log10(max))
  for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= max) return m * step
  return 10 * step
}

interface Results {
  date: string
  node: string
  store: { retained: number; bytesPerId: number; nsPerClaimComplete: number; minNs: number }[]
  rotation: { verifier: string; keys: number; microseconds: number }[]
  body: { verifier: string; floor: string; size: number; microseconds: number; ratio: [number, number, number] }[]
  memory: { uploads: number; baseline: { rss: number }; during: { rss: number } }[]
  allowlist?: { counts: number[]; rows: { comparison: string; variant: string; p50: number }[] }
}

function panels(r: Results): [Panel, (v: number) => string][] {
  const list: [Panel, (v: number) => string][] = []
  list.push([
    {
      title: 'Dedupe memory store: µs per claim + complete (full store)',
      x: 'retained ids (maxEntries)',
      y: 'µs (log)',
      yLog: true,
      series: [
        { name: 'median sample', points: r.store.map((s) => [s.retained, s.nsPerClaimComplete / 1000]) },
        { name: 'fastest sample', points: r.store.map((s) => [s.retained, s.minNs / 1000]), dashed: true },
      ],
    },
    compact,
  ])
  list.push([
    {
      title: 'Dedupe memory store: bytes per retained id',
      x: 'retained ids (maxEntries)',
      y: 'bytes per id (heap + external)',
      series: [{ name: 'bytes per id, id strings included', points: r.store.map((s) => [s.retained, s.bytesPerId]) }],
    },
    compact,
  ])
  const verifiers = [...new Set(r.rotation.map((row) => row.verifier))]
  list.push([
    {
      title: 'Secrets under rotation (4 KiB, valid under the last key)',
      x: 'secrets configured',
      y: 'µs per verify',
      series: verifiers.map((v) => ({
        name: v,
        points: r.rotation.filter((row) => row.verifier === v).map((row) => [row.keys, row.microseconds]),
      })),
    },
    compact,
  ])
  const ours = [...new Set(r.body.filter((row) => row.verifier !== row.floor).map((row) => row.verifier))]
  list.push([
    {
      title: 'Body size: each verifier over its node:crypto floor',
      x: 'body size',
      y: '× floor (same round, log)',
      yLog: true,
      series: ours.map((v) => ({
        name: v.replace(' (bearer token; the body is not signed)', ' (body not signed)'),
        points: r.body.filter((row) => row.verifier === v).map((row) => [row.size, row.ratio[0]]),
      })),
    },
    size,
  ])
  list.push([
    {
      title: 'Memory: server RSS holding slow bodies at the 64 KiB limit',
      x: 'concurrent slow bodies',
      y: 'RSS MiB',
      series: [
        { name: 'RSS while held', points: r.memory.map((m) => [m.uploads, m.during.rss / 1024 ** 2]) },
        { name: 'RSS before', points: r.memory.map((m) => [m.uploads, m.baseline.rss / 1024 ** 2]), dashed: true },
      ],
    },
    compact,
  ])
  const allowlist = r.allowlist
  if (allowlist) {
    const series: Series[] = []
    for (const family of ['IPv4', 'IPv6']) {
      for (const [variant, short, dashed] of [
        ['admit step: parse + sorted ranges (current)', 'admit step', false],
        ['match only: sorted ranges (current)', 'match only', true],
      ] as const) {
        const points = allowlist.counts.map((c): [number, number] => {
          const row = allowlist.rows.find(
            (x) => x.variant === variant && x.comparison === `${family}, ${c.toLocaleString('en-US')} rules, refused`,
          )
          return [c, (row?.p50 ?? Number.NaN) / 1000]
        })
        if (points.every(([, y]) => Number.isFinite(y)))
          series.push({ name: `${family} refused, ${short}`, points, dashed })
      }
    }
    list.push([
      {
        title: 'Allowlist: µs per lookup, a new address each time',
        x: 'CIDR rules',
        y: 'µs (log)',
        yLog: true,
        series,
      },
      compact,
    ])
  }
  return list
}

// An other results file (e.g. bench/results/scaling-smoke.json) as the first argument; the SVG goes to the second.
const input = process.argv[2] ?? here('./scaling-results.json')
const output = process.argv[3] ?? here('./scaling.svg')
const results = JSON.parse(readFileSync(input, 'utf8')) as Results
const list = panels(results)
const columns = 2
const rows = Math.ceil(list.length / columns)
const totalW = columns * width
const totalH = rows * height + 30
const body = list.map(([panel, format], i) =>
  drawPanel(panel, (i % columns) * width, Math.floor(i / columns) * height, format),
)
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${totalW}" height="${totalH}" viewBox="0 0 ${totalW} ${totalH}" font-family="sans-serif" role="img">
<title>hookguard: how cost grows (bench/scaling-results.json)</title>
<style>
.title { font-size: 13px; font-weight: bold; text-anchor: middle; }
.label { font-size: 11px; fill: #333; }
.tick { font-size: 10px; fill: #555; }
.legend { font-size: 10px; fill: #333; }
.axis { stroke: #333; stroke-width: 1; }
.grid { stroke: #ddd; stroke-width: 1; }
</style>
<rect width="100%" height="100%" fill="white"/>
${body.join('\n')}
<text x="${totalW / 2}" y="${totalH - 10}" class="label" text-anchor="middle">hookguard: how cost grows. npm run bench:scaling, ${xmlText(results.date.slice(0, 10))}, Node ${xmlText(results.node)}, 2 shared cores; x on a log scale.</text>
</svg>
`
writeFileSync(output, svg)
process.stderr.write(`${output} written\n`)
