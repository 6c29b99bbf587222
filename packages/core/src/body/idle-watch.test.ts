import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { IdleWatch, idleWatchFor, type Watched } from './idle-watch.js'

/** Watches a new entry that calls `onIdle` (and `onDeadline`); returns the entry. */
function watching(watch: IdleWatch, onIdle: () => unknown, onDeadline: () => unknown = () => {}): Watched {
  const entry: Watched = {
    lastTick: 0,
    startTick: 0,
    index: -1,
    onIdle: () => {
      onIdle()
    },
    onDeadline: () => {
      onDeadline()
    },
  }
  watch.watch(entry)
  return entry
}

describe('IdleWatch', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  test('tells a silent read after idleMs, and not after 1.25 × idleMs', () => {
    for (const startOffset of [0, 1, 99, 199, 399]) {
      const watch = new IdleWatch(400)
      vi.advanceTimersByTime(startOffset % 100)
      let told = 0
      watching(watch, () => {
        told += 1
      })
      vi.advanceTimersByTime(399)
      expect(told).toBe(0)
      vi.advanceTimersByTime(101)
      expect(told).toBe(1)
      vi.advanceTimersByTime(5_000)
      expect(told).toBe(1)
    }
  })

  test('a sign of life starts the idle time again', () => {
    const watch = new IdleWatch(400)
    let told = false
    const entry = watching(watch, () => {
      told = true
    })
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(350)
      watch.touch(entry)
    }
    expect(told).toBe(false)
    vi.advanceTimersByTime(500)
    expect(told).toBe(true)
  })

  test('a forgotten read is never told, and the timer stops when nothing is watched', () => {
    const watch = new IdleWatch(400)
    let told = false
    const entry = watching(watch, () => {
      told = true
    })
    expect(vi.getTimerCount()).toBe(1)
    watch.forget(entry)
    vi.advanceTimersByTime(1_000)
    expect(told).toBe(false)
    expect(vi.getTimerCount()).toBe(0)
    // And it starts again for the next read.
    watching(watch, () => {
      told = true
    })
    vi.advanceTimersByTime(500)
    expect(told).toBe(true)
  })

  test('many reads share one timer; each is told on its own time', () => {
    const watch = new IdleWatch(1_000)
    const told: number[] = []
    for (let i = 0; i < 3; i++) {
      watching(watch, () => told.push(i))
      vi.advanceTimersByTime(600)
    }
    expect(vi.getTimerCount()).toBe(1)
    vi.advanceTimersByTime(2_000)
    expect(told).toEqual([0, 1, 2])
  })

  test('guards with the same idle limit share a watch', () => {
    expect(idleWatchFor(10_000)).toBe(idleWatchFor(10_000))
    expect(idleWatchFor(10_000)).not.toBe(idleWatchFor(5_000))
  })

  test('guards with the same idle limit and deadline share a watch', () => {
    expect(idleWatchFor(10_000, 30_000)).toBe(idleWatchFor(10_000, 30_000))
    expect(idleWatchFor(10_000, 30_000)).not.toBe(idleWatchFor(10_000, 20_000))
  })

  test('a read that never pauses is told its deadline after deadlineMs, within two steps (a quarter of the shorter limit each)', () => {
    for (const startOffset of [0, 1, 30, 49]) {
      const watch = new IdleWatch(200, 300)
      // Another read starts the timer first, so this one starts part-way through a step.
      const other = watching(watch, () => {})
      vi.advanceTimersByTime(startOffset)
      const told: string[] = []
      const entry = watching(
        watch,
        () => told.push('idle'),
        () => told.push('deadline'),
      )
      const lively = (ms: number) => {
        for (let i = 0; i < ms; i += 10) {
          vi.advanceTimersByTime(10)
          watch.touch(entry)
          watch.touch(other)
        }
      }
      lively(290)
      vi.advanceTimersByTime(9)
      expect(told).toEqual([])
      lively(110)
      expect(told).toEqual(['deadline'])
      lively(2_000)
      expect(told).toEqual(['deadline'])
      watch.forget(other)
    }
  })

  test('with no deadline, a read that keeps showing signs of life is never told', () => {
    const watch = new IdleWatch(200)
    const told: string[] = []
    const entry = watching(
      watch,
      () => told.push('idle'),
      () => told.push('deadline'),
    )
    for (let i = 0; i < 100; i++) {
      vi.advanceTimersByTime(100)
      watch.touch(entry)
    }
    expect(told).toEqual([])
    watch.forget(entry)
  })

  test('reads that end in any order leave the others watched, each told once on its own time', () => {
    const watch = new IdleWatch(400)
    const told: number[] = []
    const entries = Array.from({ length: 6 }, (_, i) => watching(watch, () => told.push(i)))
    // End the first, the last and one in the middle; forgetting twice changes nothing.
    for (const i of [0, 5, 2, 2]) watch.forget(entries[i]!)
    vi.advanceTimersByTime(300)
    watch.touch(entries[3]!)
    vi.advanceTimersByTime(300)
    expect(told.sort()).toEqual([1, 4])
    vi.advanceTimersByTime(600)
    expect(told.sort()).toEqual([1, 3, 4])
    expect(vi.getTimerCount()).toBe(0)
  })

  test('a read told it is idle may end another read, or start a new one', () => {
    const watch = new IdleWatch(400)
    const told: string[] = []
    // Watched first, so the check reaches it after the read that ends it.
    const other = watching(watch, () => told.push('other'))
    watching(watch, () => {
      told.push('first')
      watch.forget(other)
      watching(watch, () => told.push('late'))
    })
    vi.advanceTimersByTime(600)
    expect(told).toEqual(['first'])
    vi.advanceTimersByTime(600)
    expect(told).toEqual(['first', 'late'])
    expect(vi.getTimerCount()).toBe(0)
  })
})
