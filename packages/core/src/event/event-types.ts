import type { Delivery } from '../delivery.js'
import { WebhookError } from '../errors.js'
import { describeError } from '../lib/describe-error.js'
import { andThen, isThenable, type MaybePromise } from '../lib/maybe-promise.js'
import type { GuardOptions } from '../options.js'
import { ignored, invalidPayload } from '../respond/verdict.js'
import type { Verdict, WebhookEvent } from '../types.js'
import { nonEmptyString, oneOf, optionError } from '../verify/option-checks.js'
import type { ReceivedEvent } from './received-event.js'
import type { StandardSchemaV1 } from './standard-schema.js'

/** Which event types are enqueued and how their payloads are checked, compiled once per guard. */
export interface EventTypeRules {
  /** The only types enqueued (`allowTypes`, or the types of `events`); `undefined`: all. */
  allowed: ReadonlySet<string> | undefined
  ignored: ReadonlySet<string>
  schemas: ReadonlyMap<string, StandardSchemaV1>
  onInvalid: GuardOptions['onInvalid']
  invalidStatus: 200 | 400 | 422
  timeoutMs: number
}

const where = 'createGuard'

/** The options' type rules, checked; `undefined` when none is set, so step 6 skips this part. */
export function compileEventTypes(options: GuardOptions, timeoutMs: number): EventTypeRules | undefined {
  const { events, allowTypes, ignoreTypes, onInvalid, invalidPayloadStatus } = options
  if (events === undefined && allowTypes === undefined && ignoreTypes === undefined) {
    if (onInvalid !== undefined || invalidPayloadStatus !== undefined) {
      throw new TypeError(`${where}: onInvalid and invalidPayloadStatus need events (a schema per event type)`)
    }
    return undefined
  }
  const schemas = new Map<string, StandardSchemaV1>()
  if (events !== undefined) {
    if (events === null || typeof events !== 'object' || Array.isArray(events)) {
      throw optionError(where, 'events', 'an object of Standard Schemas by event type')
    }
    for (const [type, schema] of Object.entries(events as Record<string, unknown>)) {
      const props = (schema as Partial<StandardSchemaV1> | null)?.['~standard']
      if (typeof props?.validate !== 'function' || props.version !== 1) {
        throw optionError(where, `events['${type}']`, 'a Standard Schema (zod, valibot, arktype, …)')
      }
      schemas.set(type, schema as StandardSchemaV1)
    }
  }
  const allowList = allowTypes === undefined ? undefined : typeList(allowTypes, 'allowTypes')
  for (const type of allowList ?? []) {
    if (events !== undefined && !schemas.has(type)) {
      throw new TypeError(`${where}: allowTypes names '${type}', which events has no schema for`)
    }
  }
  const allowed = allowList ?? (events === undefined ? undefined : [...schemas.keys()])
  return {
    allowed: allowed === undefined ? undefined : new Set(allowed),
    ignored: new Set(ignoreTypes === undefined ? [] : typeList(ignoreTypes, 'ignoreTypes')),
    schemas,
    onInvalid,
    invalidStatus: Number(
      oneOf(String(invalidPayloadStatus ?? 200), ['200', '400', '422'], where, 'invalidPayloadStatus'),
    ) as 200 | 400 | 422,
    timeoutMs,
  }
}

function typeList(types: unknown, option: string): string[] {
  if (!Array.isArray(types)) throw optionError(where, option, 'a list of event types')
  return types.map((type, i) => nonEmptyString(type, where, `${option}[${i}]`))
}

/**
 * Step 6, its second part: an event of a type the guard does not take is
 * answered 200 `ignored` (before dedupe: nothing is claimed, so a re-sent one
 * is ignored again); a payload its type's schema refuses is answered
 * `invalid_payload` once `onInvalid` has it; a valid one becomes the schema's
 * output.
 */
export function admitEventType(delivery: Delivery, rules: EventTypeRules): MaybePromise<Verdict | undefined> {
  const event = delivery.event as ReceivedEvent
  const type = event.type
  delivery.eventType = type
  if (type === null ? rules.allowed !== undefined : !isTaken(type, rules)) {
    delivery.detail = type === null ? 'the event has no type' : `event type '${type}' is not taken`
    return ignored()
  }
  const schema = type === null ? undefined : rules.schemas.get(type)
  if (schema === undefined) return undefined
  let result: StandardSchemaV1.Result<unknown> | Promise<StandardSchemaV1.Result<unknown>>
  try {
    result = schema['~standard'].validate(event.payload)
  } catch (error) {
    throw new WebhookError('internal_error', `the schema for '${type}' threw: ${describeError(error)}`)
  }
  return andThen(result, (checked) => {
    if (checked.issues === undefined) {
      event.payload = checked.value
      return undefined
    }
    delivery.detail = `payload of type '${type}' failed its schema: ${describeIssues(checked.issues)}`
    return handOff(event, checked.issues, rules)
  })
}

function isTaken(type: string, rules: EventTypeRules): boolean {
  return (rules.allowed === undefined || rules.allowed.has(type)) && !rules.ignored.has(type)
}

/** The issues' count and paths, for the log; never their messages, which may quote the payload. */
export function describeIssues(issues: readonly StandardSchemaV1.Issue[]): string {
  const paths = issues.slice(0, 5).map((issue) => {
    const path = (issue.path ?? []).map((segment) =>
      String(typeof segment === 'object' && segment !== null ? segment.key : segment).slice(0, 64),
    )
    return path.length === 0 ? '(root)' : path.join('.')
  })
  const more = issues.length > 5 ? `, and ${issues.length - 5} more` : ''
  return `${issues.length} issue${issues.length === 1 ? '' : 's'} at ${paths.join(', ')}${more}`
}

/** Hands the invalid event to `onInvalid`, awaited within the timeout; then the `invalid_payload` verdict. */
function handOff(
  event: ReceivedEvent,
  issues: readonly StandardSchemaV1.Issue[],
  rules: EventTypeRules,
): MaybePromise<Verdict> {
  const { onInvalid } = rules
  if (onInvalid === undefined) return invalidPayload(rules.invalidStatus)
  let pending: unknown
  try {
    pending = onInvalid(event as WebhookEvent<string | null>, issues)
  } catch (error) {
    throw new WebhookError('dead_letter_failed', describeError(error))
  }
  if (!isThenable(pending)) return invalidPayload(rules.invalidStatus)
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`onInvalid took longer than ${rules.timeoutMs} ms`)), rules.timeoutMs)
  })
  return Promise.race([Promise.resolve(pending), timeout])
    .finally(() => clearTimeout(timer))
    .then(
      () => invalidPayload(rules.invalidStatus),
      (error: unknown) => {
        throw new WebhookError('dead_letter_failed', describeError(error))
      },
    )
}
