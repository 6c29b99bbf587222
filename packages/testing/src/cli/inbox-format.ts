import type { InboxEntry } from '@hookguard/postgres'

/**
 * One line per row: seq, status, attempts, event id, type, when written; a replay and the last error when there.
 *
 * @example
 * ```ts
 * io.out(entryLines(await inbox.list({ status: 'dead' })))
 * ```
 */
export function entryLines(entries: readonly InboxEntry[]): string {
  if (entries.length === 0) return '(no rows)\n'
  const rows = entries.map((entry) => [
    entry.seq,
    entry.status,
    String(entry.attempts),
    entry.eventId ?? '-',
    entry.type ?? '-',
    entry.createdAt.toISOString(),
    [entry.replayOf ? `replay of ${entry.replayOf}` : '', entry.lastError ?? ''].filter(Boolean).join('; '),
  ])
  const header = ['seq', 'status', 'attempts', 'event id', 'type', 'created', 'note']
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] as string).length)))
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd()
  return `${[header, ...rows].map(line).join('\n')}\n`
}
