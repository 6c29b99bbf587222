import { describe, expect, test } from 'vitest'
import { runSteps, type Step } from './run-steps.js'

type Log = string[]
const record =
  (name: string, result?: string): Step<Log, null, string> =>
  (log) => {
    log.push(name)
    return result
  }
const later =
  (name: string, result?: string): Step<Log, null, string> =>
  async (log) => {
    await Promise.resolve()
    log.push(name)
    return result
  }

const same = (result: string) => result
const rethrow = (error: unknown): never => {
  throw error
}

describe('runSteps', () => {
  test('runs synchronous steps in order with no promise, and stops at the first result', () => {
    const log: Log = []
    const result = runSteps([record('a'), record('b', 'done'), record('c')], log, null, same, rethrow)
    expect(result).toBe('done')
    expect(log).toEqual(['a', 'b'])
  })

  test('follows a step that waits, then goes on with the rest', async () => {
    const log: Log = []
    const result = runSteps([record('a'), later('b'), record('c'), later('d', 'done')], log, null, same, rethrow)
    expect(result).toBeInstanceOf(Promise)
    await expect(result).resolves.toBe('done')
    expect(log).toEqual(['a', 'b', 'c', 'd'])
  })

  test('a throw or a rejection ends the run with it', async () => {
    const fail: Step<Log, null, string> = () => {
      throw new Error('sync')
    }
    const reject: Step<Log, null, string> = () => Promise.reject(new Error('async'))
    expect(() => runSteps([record('a'), fail, record('c', 'x')], [], null, same, rethrow)).toThrow('sync')
    await expect(runSteps([later('a'), reject, record('c', 'x')], [], null, same, rethrow)).rejects.toThrow('async')
  })

  test('the run ends with done(result) or failed(error), called once, now or after the wait', async () => {
    const ends: string[] = []
    const done = (result: string) => ends.push(`done ${result}`)
    const failed = (error: unknown) => ends.push(`failed ${(error as Error).message}`)
    runSteps([record('a', 'x')], [], null, done, failed)
    runSteps(
      [
        record('a'),
        () => {
          throw new Error('boom')
        },
      ],
      [],
      null,
      done,
      failed,
    )
    await runSteps([later('a'), later('b', 'y')], [], null, done, failed)
    await runSteps([later('a'), () => Promise.reject(new Error('late'))], [], null, done, failed)
    expect(ends).toEqual(['done x', 'failed boom', 'done y', 'failed late'])
  })

  test('steps that all go on are a mistake of the pipeline, not an answer', () => {
    expect(() => runSteps([record('a')], [], null, same, rethrow)).toThrow(/last step/)
  })
})
