import type { SyncEnvironment } from '../shared/env.js'
import { TransportError } from '../shared/errors.js'
import { retryDelay } from './retry.js'

export interface SchedulerOptions {
  /** Quiet time after a local write before its upload starts. */
  debounceMs: number
  /** At most one write-triggered round per this interval. */
  throttleMs: number
  /** Background round every this many ms; null for none. */
  intervalMs: number | null
  retryDelayMs: number
  maxRetryDelayMs: number
}

/** Runs one round at a time; returns when entries held back after errors should be tried again. */
export type RoundRunner = (signal: AbortSignal) => Promise<number | null>

interface Waiter {
  resolve(): void
  reject(error: unknown): void
}

/**
 * Decides when sync rounds run: at once for `requestRound()` (sync(), connect, online); throttled for
 * local writes and on an interval, these two only while online; after a failure with jittered backoff,
 * never sooner than the server's Retry-After. Never two rounds at once.
 */
export class SyncScheduler {
  private active = false
  private running = false
  private controller = new AbortController()
  private waiting: Waiter[] = []
  private rerunNow = false
  private rerunThrottled = false
  private timer: unknown = null
  private timerAt = Number.POSITIVE_INFINITY
  private intervalTimer: unknown = null
  private backingOff = false
  private failures = 0
  private lastStartedAt = Number.NEGATIVE_INFINITY

  constructor(
    private readonly run: RoundRunner,
    private readonly env: SyncEnvironment,
    private readonly options: SchedulerOptions,
  ) {}

  get isActive(): boolean {
    return this.active
  }

  /** Starts scheduling and runs a first round (the seed's upload on connect). */
  start(): void {
    if (this.active) return
    this.active = true
    this.controller = new AbortController()
    this.armInterval()
    this.requestRound().catch(() => {})
  }

  /** Stops every timer and aborts the round in flight; waiting callers are rejected with `reason`. */
  stop(reason: Error): void {
    if (!this.active) return
    this.active = false
    this.clearTimer()
    if (this.intervalTimer !== null) this.env.clearTimeout(this.intervalTimer)
    this.intervalTimer = null
    this.controller.abort(reason)
    this.rerunNow = false
    this.rerunThrottled = false
    this.backingOff = false
    this.failures = 0
    this.rejectWaiting(reason)
  }

  /** A round as soon as possible, skipping throttle and backoff; resolves when a round started after the call ends. */
  requestRound(): Promise<void> {
    if (!this.active) return Promise.reject(new Error('Sync is not running: call connect() first.'))
    const done = new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }))
    this.clearTimer()
    this.backingOff = false
    if (this.running) this.rerunNow = true
    else this.startRound()
    return done
  }

  /** A local write: coalesced into at most one round per throttle interval; never shortens a backoff. */
  notifyWrite(): void {
    // Offline, writes wait in the outbox: the online event starts the next round.
    if (!this.active || this.backingOff || !this.env.isOnline()) return
    if (this.running) {
      this.rerunThrottled = true
      return
    }
    const now = this.env.now()
    const at = Math.max(now + this.options.debounceMs, this.lastStartedAt + this.options.throttleMs)
    this.scheduleAt(at)
  }

  private startRound(): void {
    const waiters = this.waiting
    this.waiting = []
    this.running = true
    this.rerunNow = false
    this.rerunThrottled = false
    this.lastStartedAt = this.env.now()
    const signal = this.controller.signal
    this.run(signal).then(
      (retryAt) => this.finish(waiters, null, retryAt),
      (error: unknown) => this.finish(waiters, error, null),
    )
  }

  private finish(waiters: Waiter[], error: unknown, retryAt: number | null): void {
    this.running = false
    for (const waiter of waiters) error === null ? waiter.resolve() : waiter.reject(error)
    if (!this.active) return
    this.failures = error === null ? 0 : this.failures + 1
    if (this.waiting.length > 0 || this.rerunNow) {
      this.startRound()
      return
    }
    if (error !== null) {
      this.backOff(error)
      return
    }
    if (this.rerunThrottled) this.notifyWrite()
    if (retryAt !== null) this.scheduleAt(retryAt)
  }

  private backOff(error: unknown): void {
    if (!this.env.isOnline()) return // the online event starts the next round
    const backoff = retryDelay(this.failures, {
      baseMs: this.options.retryDelayMs,
      maxMs: this.options.maxRetryDelayMs,
      random: this.env.random,
    })
    // A server that says when to come back (429/503 Retry-After) is not asked earlier, cap or not.
    const retryAfter = error instanceof TransportError ? (error.retryAfterMs ?? 0) : 0
    const delay = Math.max(backoff, retryAfter)
    this.clearTimer()
    this.backingOff = true
    this.scheduleAt(this.env.now() + delay)
  }

  private scheduleAt(at: number): void {
    if (this.timer !== null && this.timerAt <= at) return
    this.clearTimer()
    this.timerAt = at
    this.timer = this.env.setTimeout(
      () => {
        this.timer = null
        this.timerAt = Number.POSITIVE_INFINITY
        this.backingOff = false
        if (!this.active || !this.env.isOnline()) return
        if (this.running) this.rerunNow = true
        else this.startRound()
      },
      Math.max(0, at - this.env.now()),
    )
  }

  private clearTimer(): void {
    if (this.timer !== null) this.env.clearTimeout(this.timer)
    this.timer = null
    this.timerAt = Number.POSITIVE_INFINITY
  }

  private armInterval(): void {
    const { intervalMs } = this.options
    if (intervalMs === null || intervalMs <= 0) return
    this.intervalTimer = this.env.setTimeout(() => {
      this.intervalTimer = null
      if (!this.active) return
      this.armInterval()
      // A round waiting for a debounce or throttle runs now instead; a backoff is left alone.
      if (this.running || this.backingOff || !this.env.isOnline()) return
      this.clearTimer()
      this.startRound()
    }, intervalMs)
  }

  private rejectWaiting(reason: Error): void {
    const waiters = this.waiting
    this.waiting = []
    for (const waiter of waiters) waiter.reject(reason)
  }
}
