import fc from 'fast-check'

/** Separators and look-alikes that parsers split, trim or choke on. */
export const separatorChars = [
  ',',
  ' ',
  '=',
  '.',
  ':',
  ';',
  '/',
  '%',
  '\t',
  '\n',
  '\r',
  '\u0000',
  '\u00a0',
  '\u3000',
  '+',
  '-',
]
const separator = fc.constantFrom(...separatorChars)

/** Any text: ASCII, full Unicode, lone surrogates, runs of separators. */
export function anyText(maxLength = 120): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: fc.oneof(separator, fc.constantFrom('\ud800', '\udfff', '\u200b', '\ufeff')), maxLength }),
    fc.tuple(separator, fc.integer({ min: 1, max: maxLength })).map(([char, times]) => char.repeat(times)),
  )
}

type Edit =
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'replace'; at: number; text: string }
  | { kind: 'case'; at: number }
  | { kind: 'repeat'; times: number; joiner: string }
  | { kind: 'wrap'; before: string; after: string }

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(separator, fc.string({ maxLength: 4 })),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 4 }) }),
  fc.record({
    kind: fc.constant('replace' as const),
    at: fc.nat(),
    text: fc.oneof(separator, fc.string({ maxLength: 1 })),
  }),
  fc.record({ kind: fc.constant('case' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('repeat' as const),
    times: fc.integer({ min: 2, max: 5 }),
    joiner: fc.oneof(separator, fc.constant(', ')),
  }),
  fc.record({
    kind: fc.constant('wrap' as const),
    before: fc.constantFrom('', ' ', '"', '[', '{', '(', '<', 'v1,', '0x'),
    after: fc.constantFrom('', ' ', '"', ']', '}', ')', '>', ',', '='),
  }),
)

function apply(text: string, change: Edit): string {
  const at = text.length === 0 ? 0 : 'at' in change ? change.at % (text.length + 1) : 0
  switch (change.kind) {
    case 'insert':
      return text.slice(0, at) + change.text + text.slice(at)
    case 'delete':
      return text.slice(0, at) + text.slice(at + change.length)
    case 'replace':
      return text.slice(0, at) + change.text + text.slice(at + 1)
    case 'case': {
      const char = text.charAt(at)
      const swapped = char === char.toLowerCase() ? char.toUpperCase() : char.toLowerCase()
      return text.slice(0, at) + swapped + text.slice(at + 1)
    }
    case 'repeat':
      return Array.from({ length: change.times }, () => text).join(change.joiner)
    case 'wrap':
      return change.before + text + change.after
  }
}

/** Valid inputs with one to four small edits: near misses. */
export function mutationsOf(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(valid, fc.array(edit, { minLength: 1, maxLength: 4 }))
    .map(([text, edits]) => edits.reduce(apply, text))
}

/** 16 KiB, the size of Node's whole header block. */
export const adversarialLength = 16 * 1024

/**
 * 16 KiB inputs: runs of each separator, and each valid-looking prefix
 * followed by runs that keep a regex engine guessing.
 */
export function adversarialTexts(prefixes: readonly string[], units: readonly string[] = []): string[] {
  const fill = (unit: string, prefix = '', suffix = '') =>
    prefix +
    unit
      .repeat(Math.ceil((adversarialLength - prefix.length - suffix.length) / unit.length))
      .slice(0, adversarialLength - prefix.length - suffix.length) +
    suffix
  const runs = [
    ...separatorChars,
    ', ',
    'v1,',
    'a',
    '0',
    '9',
    'A',
    '[',
    '{"a":',
    '{"a":[',
    '::',
    '1.',
    'a=',
    '==',
    '\u00e9',
  ]
  const texts = [...runs, ...units].flatMap((unit) => [fill(unit), fill(unit, '', '!')])
  for (const prefix of prefixes) {
    for (const unit of [...runs, ...units])
      texts.push(fill(unit, prefix), fill(unit, prefix, '!'), fill(unit, prefix, ' x'))
  }
  return texts
}
