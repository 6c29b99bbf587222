/** A body being read, as the watch sees it. */
export interface Watched {
  /** The watch's tick at the last sign of life. */
  lastTick: number
  readonly onIdle: () => void
}

/**
 * One interval timer for every body being read with the same idle limit,
 * instead of a timer armed and cleared per request and per chunk (the same
 * idea as Node's own `connectionsCheckingInterval`). A read that shows no sign
 * of life for `idleMs` is told so between `idleMs` and `1.25 × idleMs` later.
 * The timer runs only while something is being read, and never keeps the
 * process alive.
 */
export class IdleWatch {
  private readonly watched = new Set<Watched>()
  private readonly stepMs: number
  private readonly idleSteps: number
  private timer: ReturnType<typeof setInterval> | undefined
  private tick = 0

  constructor(readonly idleMs: number) {
    this.stepMs = Math.max(1, Math.min(1_000, idleMs / 4))
    // A sign of life may come just after a tick, so one step more than idleMs / stepMs must pass.
    this.idleSteps = Math.ceil(idleMs / this.stepMs) + 1
  }

  /** Starts watching; `onIdle` runs once if no `touch` comes for `idleMs`. */
  watch(onIdle: () => void): Watched {
    const entry: Watched = { lastTick: this.tick, onIdle }
    this.watched.add(entry)
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.check(), this.stepMs)
      this.timer.unref?.()
    }
    return entry
  }

  /** A sign of life: the idle time starts again. */
  touch(entry: Watched): void {
    entry.lastTick = this.tick
  }

  /** Stops watching (the read ended, one way or another). */
  forget(entry: Watched): void {
    this.watched.delete(entry)
  }

  private check(): void {
    this.tick += 1
    for (const entry of this.watched) {
      if (this.tick - entry.lastTick >= this.idleSteps) {
        this.watched.delete(entry)
        entry.onIdle()
      }
    }
    if (this.watched.size === 0) {
      clearInterval(this.timer)
      this.timer = undefined
    }
  }
}

const watches = new Map<number, IdleWatch>()

/** The shared watch for an idle limit (guards with the same `bodyTimeoutMs` share one timer). */
export function idleWatchFor(idleMs: number): IdleWatch {
  let watch = watches.get(idleMs)
  if (watch === undefined) {
    watch = new IdleWatch(idleMs)
    watches.set(idleMs, watch)
  }
  return watch
}
