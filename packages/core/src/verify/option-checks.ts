/**
 * The option checks every factory runs at creation (`createGuard`, each
 * verifier, each preset), so a bad option fails at start-up with a
 * `TypeError` in one voice: `<factory>: <option> must be <what>`, e.g.
 * `standardWebhooks: maxSignatures must be a positive integer`.
 * Each check returns the value it accepted.
 *
 * @example
 * ```ts
 * const where = 'acme'
 * const maxSignatures = positiveInteger(options.maxSignatures ?? 16, where, 'maxSignatures')
 * const header = headerName(options.header, where, 'header')
 * ```
 */

/** The error every check throws: `<where>: <option> must be <what>`. */
export function optionError(where: string, option: string, what: string): TypeError {
  return new TypeError(`${where}: ${option} must be ${what}`)
}

/** The options argument itself: an object (not an array, not `null`). */
export function requireOptions<T>(options: T, where: string): NonNullable<T> {
  if (!options || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${where} needs an options object`)
  }
  return options as NonNullable<T>
}

/** A finite number above zero (not `NaN`, not `Infinity`). */
export function positiveNumber(value: unknown, where: string, option: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw optionError(where, option, 'a positive number')
  }
  return value
}

/** A whole number above zero. */
export function positiveInteger(value: unknown, where: string, option: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw optionError(where, option, 'a positive integer')
  }
  return value
}

/** A finite number, zero or more. */
export function nonNegativeNumber(value: unknown, where: string, option: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw optionError(where, option, 'a non-negative number')
  }
  return value
}

/** The longest delay a timer takes (2³¹ − 1 ms, about 24.8 days); a longer one fires at once. */
export const maxTimerMs = 2_147_483_647

/** A delay handed to a timer: a positive number of milliseconds, at most {@link maxTimerMs}. */
export function timerMs(value: unknown, where: string, option: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > maxTimerMs) {
    throw optionError(where, option, `a positive number of milliseconds, at most ${maxTimerMs}`)
  }
  return value
}

/** `true` or `false`. */
export function booleanOption(value: unknown, where: string, option: string): boolean {
  if (typeof value !== 'boolean') throw optionError(where, option, 'true or false')
  return value
}

/** A string with at least one character. */
export function nonEmptyString(value: unknown, where: string, option: string): string {
  if (typeof value !== 'string' || value.length === 0) throw optionError(where, option, 'a non-empty string')
  return value
}

/** One of the listed values, e.g. `'closed'` or `'open'`. */
export function oneOf<T extends string>(value: unknown, choices: readonly T[], where: string, option: string): T {
  if (!choices.includes(value as T)) {
    const names = choices.map((c) => `'${c}'`)
    throw optionError(where, option, `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`)
  }
  return value as T
}

/**
 * One value or a non-empty list of them, as a list (e.g. a secret, or several
 * during a rotation). The caller checks each entry, naming it `option[i]`.
 */
export function oneOrMore<T>(value: T | readonly T[] | undefined, where: string, option: string): readonly T[] {
  if (value === undefined || value === null) throw optionError(where, option, 'given')
  const list = Array.isArray(value) ? (value as readonly T[]) : [value as T]
  if (list.length === 0) throw optionError(where, option, 'one value or a non-empty list')
  return list
}

/** HTTP token characters (RFC 9110), lower case. */
const tokenPattern = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/

/**
 * Names a plain object already answers to: a header record looked up with
 * them hands back `Object.prototype` or a function, not a header value.
 */
const reservedNames = new Set(['__proto__', 'constructor', 'prototype'])

/** A header name (an HTTP token), returned lower-cased. `__proto__`, `constructor` and `prototype` are refused. */
export function headerName(value: unknown, where: string, option: string): string {
  const name = typeof value === 'string' ? value.toLowerCase() : undefined
  if (name === undefined || !tokenPattern.test(name)) throw optionError(where, option, 'a header name')
  if (reservedNames.has(name)) throw optionError(where, option, `a header name other than ${name}`)
  return name
}

/** Headers that carry a credential wherever they appear. */
export const credentialHeaders: readonly string[] = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie']

/**
 * Header names to copy onto the event, lower-cased: each a header name, and
 * none that carries a credential ({@link credentialHeaders}, plus `alsoRefused`:
 * the verifiers' own signature and token headers). An event goes to queues and
 * logs; a credential on it is a credential leaked.
 */
export function keptHeaderNames(
  value: unknown,
  where: string,
  option: string,
  alsoRefused: readonly string[] = [],
): string[] {
  if (!Array.isArray(value)) throw optionError(where, option, 'a list of header names')
  return value.map((entry, i) => {
    const name = headerName(entry, where, `${option}[${i}]`)
    if (credentialHeaders.includes(name) || alsoRefused.includes(name)) {
      throw optionError(where, `${option}[${i}]`, `a header that carries no credential (${name} does)`)
    }
    return name
  })
}
