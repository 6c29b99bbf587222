/** A body being read, as the watch sees it: the read itself keeps these fields. */
export interface Watched {
  /** The watch's tick at the last sign of life. */
  lastTick: number
  /** The watch's tick when the read started. */
  startTick: number
  /** Where the entry sits in the watch's list; -1 when it is not watched. */
  index: number
  /** Told once when no sign of life came for the watch's `idleMs`. */
  onIdle(): void
  /** Told once when the read has lasted the watch's `deadlineMs`, signs of life or not. */
  onDeadline(): void
}

/**
 * One interval timer for every body being read with the same idle limit and
 * deadline, instead of timers armed and cleared per request and per chunk
 * (the same idea as Node's own `connectionsCheckingInterval`). A read that
 * shows no sign of life for `idleMs` is told so between `idleMs` and
 * `1.25 × idleMs` later; one that lasts `deadlineMs` in all (a body trickled
 * just inside the idle limit) is told so at most two steps of the timer
 * (a quarter of the shorter limit, 1 s at most) after that. The timer runs only while something is being read, and never keeps the
 * process alive. Reads sit in a plain list that each knows its place in, so
 * starting and ending a read costs a push and a swap (a `Set` hashed every entry).
 */
export class IdleWatch {
  private readonly watched: Watched[] = []
  private readonly stepMs: number
  private readonly idleSteps: number
  private readonly deadlineSteps: number
  private timer: ReturnType<typeof setInterval> | undefined
  private tick = 0

  constructor(
    readonly idleMs: number,
    readonly deadlineMs = Number.POSITIVE_INFINITY,
  ) {
    this.stepMs = Math.max(1, Math.min(1_000, Math.min(idleMs, deadlineMs) / 4))
    // A sign of life (or the start) may come just after a tick, so one step more than ms / stepMs must pass.
    this.idleSteps = Math.ceil(idleMs / this.stepMs) + 1
    this.deadlineSteps = Math.ceil(deadlineMs / this.stepMs) + 1
  }

  /**
   * Starts watching `entry`; its `onIdle` runs once if no `touch` comes for
   * `idleMs`, else its `onDeadline` once it has been watched for `deadlineMs`.
   */
  watch(entry: Watched): void {
    entry.lastTick = this.tick
    entry.startTick = this.tick
    entry.index = this.watched.length
    this.watched.push(entry)
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.check(), this.stepMs)
      // On Node the watch must not keep the process alive; Web runtimes' timers are plain numbers.
      ;(this.timer as { unref?: () => void }).unref?.()
    }
  }

  /** A sign of life: the idle time starts again. */
  touch(entry: Watched): void {
    entry.lastTick = this.tick
  }

  /** Stops watching (the read ended, one way or another). */
  forget(entry: Watched): void {
    const { index } = entry
    if (index < 0 || this.watched[index] !== entry) return
    const last = this.watched.pop() as Watched
    if (last !== entry) {
      this.watched[index] = last
      last.index = index
    }
    entry.index = -1
  }

  private check(): void {
    this.tick += 1
    // From the end: a removal moves the last entry, one already looked at, into the freed place.
    for (let i = this.watched.length - 1; i >= 0; i--) {
      const entry = this.watched[i]
      if (entry === undefined) continue
      if (this.tick - entry.lastTick >= this.idleSteps) {
        this.forget(entry)
        entry.onIdle()
      } else if (this.tick - entry.startTick >= this.deadlineSteps) {
        this.forget(entry)
        entry.onDeadline()
      }
    }
    if (this.watched.length === 0) {
      clearInterval(this.timer)
      this.timer = undefined
    }
  }
}

const watches = new Map<string, IdleWatch>()

/**
 * The shared watch for an idle limit and a deadline (guards with the same
 * `bodyTimeoutMs` and `bodyDeadlineMs` share one timer).
 */
export function idleWatchFor(idleMs: number, deadlineMs = Number.POSITIVE_INFINITY): IdleWatch {
  const key = `${idleMs}/${deadlineMs}`
  let watch = watches.get(key)
  if (watch === undefined) {
    watch = new IdleWatch(idleMs, deadlineMs)
    watches.set(key, watch)
  }
  return watch
}
