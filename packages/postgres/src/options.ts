import type { Pool } from 'pg'

/** A table name checked and ready for SQL: the quoted name, and a base for index names. */
export interface TableName {
  /** As written by the user, for messages: `hookguard_inbox` or `app.hookguard_inbox`. */
  readonly label: string
  /** Quoted for SQL: `"app"."hookguard_inbox"`. */
  readonly sql: string
  /** The unqualified name, for index names (an index lives in its table's schema). */
  readonly base: string
}

// Lowercase only: a quoted mixed-case name would have to be quoted in every query a user writes by hand.
// 48 characters leave room for the suffixes of the index and keys table names within Postgres's 63.
const namePart = /^[a-z_][a-z0-9_]{0,47}$/

/** The `options` object, or a TypeError naming the factory. */
export function optionsObject<T>(factory: string, options: T): T {
  if (!options || typeof options !== 'object') throw new TypeError(`${factory} needs an options object`)
  return options
}

/** The `pg` Pool, or a TypeError naming the option. */
export function checkPool(factory: string, pool: unknown): Pool {
  const candidate = pool as Partial<Pool> | null | undefined
  if (!candidate || typeof candidate.query !== 'function' || typeof candidate.connect !== 'function') {
    throw new TypeError(`${factory}: pool must be a pg Pool`)
  }
  return pool as Pool
}

/** `table` (`name` or `schema.name`, lowercase letters, digits and `_`), or a TypeError naming the option. */
export function checkTable(factory: string, table: unknown, fallback: string): TableName {
  const label = table ?? fallback
  const parts = typeof label === 'string' ? label.split('.') : []
  if (parts.length < 1 || parts.length > 2 || !parts.every((part) => namePart.test(part))) {
    throw new TypeError(
      `${factory}: table must be a lowercase name or schema.name (letters, digits, _; at most 48 characters each)`,
    )
  }
  return { label: label as string, sql: parts.map((part) => `"${part}"`).join('.'), base: parts.at(-1) as string }
}

/** A table beside `table`, in its schema, named `<table>_<suffix>`: `app.inbox` → `app.inbox_keys`. */
export function siblingTable(table: TableName, suffix: string): TableName {
  const base = `${table.base}_${suffix}`
  const label = `${table.label}_${suffix}`
  return {
    label,
    sql: label
      .split('.')
      .map((part) => `"${part}"`)
      .join('.'),
    base,
  }
}

/** A positive whole number of milliseconds (or a count), or a TypeError naming the option. */
export function positiveInteger(factory: string, name: string, value: unknown, fallback: number): number {
  const resolved = value ?? fallback
  if (typeof resolved !== 'number' || !Number.isSafeInteger(resolved) || resolved < 1) {
    throw new TypeError(`${factory}: ${name} must be a positive integer`)
  }
  return resolved
}
