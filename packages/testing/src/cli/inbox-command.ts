import { parseArgs } from 'node:util'
import type { PostgresInbox } from '@hookguard/postgres'
import { exitCodes, UsageError } from './errors.js'
import { entryLines } from './inbox-format.js'
import { type InboxModules, loadInboxModules, MissingModuleError } from './inbox-modules.js'
import { integerFrom } from './inputs.js'
import type { CliIo } from './io.js'
import { usage } from './usage.js'

const subcommands = ['list', 'show', 'replay', 'dead'] as const
type Subcommand = (typeof subcommands)[number]
const statuses = ['pending', 'done', 'dead'] as const

/** The options and the one positional (`<seq>` of show and replay), checked. */
function parse(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    options: {
      'database-url': { type: 'string' },
      table: { type: 'string' },
      status: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  })
  const [name, ...rest] = positionals
  return { values, name, rest }
}

/** A row number from the command line, or a usage error. */
function seqFrom(rest: string[], subcommand: Subcommand): string {
  const [seq, extra] = rest
  if (seq === undefined) throw new UsageError(`${subcommand} needs the row's seq (see hookguard inbox list)`, 'inbox')
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, 'inbox')
  if (!/^[1-9][0-9]{0,18}$/.test(seq)) throw new UsageError(`seq must be a row number, got "${seq}"`, 'inbox')
  return seq
}

/** Whether a thrown error means the database could not be reached at all (refused, unknown host, timeout). */
function unreachable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  const message = error instanceof Error ? error.message : ''
  return (
    (typeof code === 'string' &&
      ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET'].includes(code)) ||
    /timeout expired|Connection terminated/i.test(message)
  )
}

/**
 * `hookguard inbox list|show|replay|dead`: reads and replays a Postgres inbox
 * (@hookguard/postgres, loaded on demand). The database comes from
 * `--database-url` or `DATABASE_URL`.
 *
 * @example
 * ```ts
 * await inboxCommand(['dead', '--database-url', 'postgres://localhost/app'], processIo())
 * ```
 */
export async function inboxCommand(
  args: string[],
  io: CliIo,
  load: () => Promise<InboxModules> = loadInboxModules,
): Promise<number> {
  const { values, name, rest } = parse(args)
  if (values.help) {
    io.out(usage.inbox)
    return exitCodes.ok
  }
  if (name === undefined || !(subcommands as readonly string[]).includes(name)) {
    const given = name === undefined ? 'no subcommand' : `unknown subcommand "${name}"`
    throw new UsageError(`${given}: use ${subcommands.join(', ')}`, 'inbox')
  }
  const subcommand = name as Subcommand
  const seq = subcommand === 'show' || subcommand === 'replay' ? seqFrom(rest, subcommand) : undefined
  if (seq === undefined && rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`, 'inbox')
  const status = values.status
  if (status !== undefined && subcommand !== 'list') throw new UsageError('--status applies to list', 'inbox')
  if (status !== undefined && !(statuses as readonly string[]).includes(status)) {
    throw new UsageError(`--status must be one of ${statuses.join(', ')}`, 'inbox')
  }
  const limit = integerFrom(values.limit, '--limit', 1, 10_000, 'inbox')
  const url = values['database-url'] ?? io.env.DATABASE_URL
  if (!url) throw new UsageError('no database: pass --database-url or set DATABASE_URL', 'inbox')

  let modules: InboxModules
  try {
    modules = await load()
  } catch (error) {
    if (!(error instanceof MissingModuleError)) throw error
    io.err(`hookguard inbox: ${error.message}\n`)
    return exitCodes.usage
  }
  const pool = new modules.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 5_000 })
  pool.on('error', () => {})
  try {
    const inbox = modules.postgresInbox({ pool, ...(values.table ? { table: values.table } : {}) })
    return await run(inbox, subcommand, { seq, status, limit, json: values.json === true }, io)
  } catch (error) {
    if (unreachable(error)) {
      io.err(`hookguard inbox: could not reach the database: ${(error as Error).message}\n`)
      return exitCodes.network
    }
    if ((error as { name?: unknown }).name === 'PostgresError' || (error as { severity?: unknown }).severity) {
      // The inbox's own refusals (no such row, still pending) and Postgres's errors (no such table).
      const hint =
        (error as { code?: unknown }).code === '42P01' ? ' (wrong --table, or inbox.migrate() never ran)' : ''
      io.err(`hookguard inbox ${subcommand}: ${(error as Error).message}${hint}\n`)
      return exitCodes.failed
    }
    throw error
  } finally {
    await pool.end()
  }
}

interface RunOptions {
  seq: string | undefined
  status: string | undefined
  limit: number | undefined
  json: boolean
}

async function run(inbox: PostgresInbox, subcommand: Subcommand, options: RunOptions, io: CliIo): Promise<number> {
  const { seq, limit, json } = options
  if (subcommand === 'show') {
    const row = await inbox.show(seq as string)
    if (!row) {
      io.err(`hookguard inbox show: ${inbox.table} has no row ${seq}\n`)
      return exitCodes.failed
    }
    io.out(`${JSON.stringify(row, null, 2)}\n`)
    return exitCodes.ok
  }
  if (subcommand === 'replay') {
    const replay = await inbox.replay(seq as string)
    io.out(json ? `${JSON.stringify({ replayed: seq, seq: replay })}\n` : `replayed ${seq} as ${replay}\n`)
    return exitCodes.ok
  }
  const status = subcommand === 'dead' ? 'dead' : (options.status as 'pending' | 'done' | 'dead' | undefined)
  const entries = await inbox.list({ ...(status ? { status } : {}), ...(limit ? { limit } : {}) })
  io.out(json ? `${JSON.stringify(entries)}\n` : entryLines(entries))
  return exitCodes.ok
}
