import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { IdleWatch, idleWatchFor } from './idle-watch.js'

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
      watch.watch(() => {
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
    const entry = watch.watch(() => {
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
    const entry = watch.watch(() => {
      told = true
    })
    expect(vi.getTimerCount()).toBe(1)
    watch.forget(entry)
    vi.advanceTimersByTime(1_000)
    expect(told).toBe(false)
    expect(vi.getTimerCount()).toBe(0)
    // And it starts again for the next read.
    watch.watch(() => {
      told = true
    })
    vi.advanceTimersByTime(500)
    expect(told).toBe(true)
  })

  test('many reads share one timer; each is told on its own time', () => {
    const watch = new IdleWatch(1_000)
    const told: number[] = []
    for (let i = 0; i < 3; i++) {
      watch.watch(() => told.push(i))
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
})
