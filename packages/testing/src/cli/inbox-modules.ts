import type * as Postgres from '@hookguard/postgres'
import type pg from 'pg'

/** What the inbox commands load on demand: @hookguard/postgres and pg are not dependencies of this package. */
export interface InboxModules {
  postgresInbox: typeof Postgres.postgresInbox
  Pool: typeof pg.Pool
}

/**
 * @hookguard/postgres or pg is not installed: printed as one line, exit code 2.
 *
 * @example
 * ```ts
 * throw new MissingModuleError('@hookguard/postgres and pg are needed: npm install @hookguard/postgres pg')
 * ```
 */
export class MissingModuleError extends Error {
  override name = 'MissingModuleError'
}

const installHint = 'npm install @hookguard/postgres pg'

function missing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND'
}

/**
 * Loads @hookguard/postgres and pg with dynamic imports, so @hookguard/testing
 * works without them and `hookguard inbox` says what to install when they are
 * missing. The specifiers are parameters only so a test can name a missing one.
 *
 * @example
 * ```ts
 * const { postgresInbox, Pool } = await loadInboxModules()
 * ```
 */
export async function loadInboxModules(
  inboxSpecifier = '@hookguard/postgres',
  pgSpecifier = 'pg',
): Promise<InboxModules> {
  try {
    const [inbox, driver] = await Promise.all([import(inboxSpecifier), import(pgSpecifier)])
    const Pool = (driver.default ?? driver).Pool as typeof pg.Pool
    return { postgresInbox: (inbox as typeof Postgres).postgresInbox, Pool }
  } catch (error) {
    if (missing(error)) throw new MissingModuleError(`${inboxSpecifier} and ${pgSpecifier} are needed: ${installHint}`)
    throw error
  }
}
