/**
 * Strings as a request brings them: each one a new flat string, decoded from
 * bytes, never seen before (so no hash or array index is cached on it, as
 * there is on a string a benchmark reuses).
 */
export function freshStrings(texts: readonly string[]): string[] {
  const bytes = Buffer.from(texts.join(''), 'latin1')
  const out = new Array<string>(texts.length)
  let start = 0
  for (let i = 0; i < texts.length; i++) {
    const end = start + (texts[i] as string).length
    out[i] = bytes.toString('latin1', start, end)
    start = end
  }
  return out
}
