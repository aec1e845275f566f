import { MAX_TIMER_MS, type SyncEnvironment } from '../shared/env.js'
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

type WaitReason = 'write' | 'retry' | 'backoff'

/**
 * Where the scheduler is; every transition is an assignment to `phase`.
 * - stopped: no timers; `start()` leaves it.
 * - idle: nothing planned; a write, a request or the interval starts a round.
 * - waiting: a timer starts the next round at `at`, for a `reason`: a write's debounce (a later write
 *   moves it), a held-back change's retry time, or a failure's backoff (writes and the interval do not
 *   cut a backoff short).
 * - running: a round is in flight; `rerun` says what happens when it ends: another round at once (`now`),
 *   a write-triggered one (`write`), or nothing.
 */
type Phase =
  | { readonly name: 'stopped' }
  | { readonly name: 'idle' }
  | { readonly name: 'waiting'; readonly at: number; readonly timer: unknown; readonly reason: WaitReason }
  | { readonly name: 'running'; readonly rerun: 'none' | 'write' | 'now' }

/**
 * Decides when sync rounds run: at once for `requestRound()` (sync(), connect, online); throttled for
 * local writes and on an interval, these two only while online; after a failure with jittered backoff,
 * never sooner than the server's Retry-After. Never two rounds at once.
 */
export class SyncScheduler {
  #current: Phase = { name: 'stopped' }
  #reportedRetryAt: number | null = null
  /** A round is in flight; it may outlive a `stop()`, and a restart waits for it. */
  #inFlight = false
  #controller = new AbortController()
  #waiting: Waiter[] = []
  #intervalTimer: unknown = null
  #failures = 0
  #lastStartedAt = Number.NEGATIVE_INFINITY

  readonly #run: RoundRunner
  readonly #env: SyncEnvironment
  readonly #options: SchedulerOptions
  readonly #onRetryAt: (at: number | null) => void

  constructor(
    run: RoundRunner,
    env: SyncEnvironment,
    options: SchedulerOptions,
    /** Hears when the next automatic retry after a failure is planned for (epoch ms), or null for none. */
    onRetryAt: (at: number | null) => void = () => {},
  ) {
    this.#run = run
    this.#env = env
    this.#options = options
    this.#onRetryAt = onRetryAt
  }

  get #phase(): Phase {
    return this.#current
  }

  set #phase(next: Phase) {
    this.#current = next
    const retryAt = next.name === 'waiting' && next.reason === 'backoff' ? next.at : null
    if (retryAt === this.#reportedRetryAt) return
    this.#reportedRetryAt = retryAt
    this.#onRetryAt(retryAt)
  }

  get isActive(): boolean {
    return this.#phase.name !== 'stopped'
  }

  /** Starts scheduling and runs a first round (the upload on connect). */
  start(): void {
    if (this.isActive) return
    this.#phase = { name: 'idle' }
    this.#controller = new AbortController()
    this.#armInterval()
    this.requestRound().catch(() => {})
  }

  /** Stops every timer and aborts the round in flight; waiting callers are rejected with `reason`. */
  stop(reason: Error): void {
    if (!this.isActive) return
    this.#cancelTimer()
    if (this.#intervalTimer !== null) this.#env.clearTimeout(this.#intervalTimer)
    this.#intervalTimer = null
    this.#phase = { name: 'stopped' }
    this.#controller.abort(reason)
    this.#failures = 0
    const waiters = this.#waiting
    this.#waiting = []
    for (const waiter of waiters) waiter.reject(reason)
  }

  /** A round as soon as possible, skipping throttle and backoff; resolves when a round started after the call ends. */
  requestRound(): Promise<void> {
    if (!this.isActive) return Promise.reject(new Error('Sync is not running: call connect() first.'))
    const done = new Promise<void>((resolve, reject) => this.#waiting.push({ resolve, reject }))
    this.#cancelTimer()
    this.#runOrQueue('now')
    return done
  }

  /** A local write: coalesced into at most one round per throttle interval; never shortens a backoff. */
  notifyWrite(): void {
    const phase = this.#phase
    // Offline, writes wait in the outbox: the online event starts the next round.
    if (phase.name === 'stopped' || !this.#env.isOnline()) return
    if (phase.name === 'waiting' && phase.reason === 'backoff') return
    if (phase.name === 'running') {
      if (phase.rerun === 'none') this.#phase = { name: 'running', rerun: 'write' }
      return
    }
    // The debounce counts from the last write of a burst: a pending write's round moves later.
    if (phase.name === 'waiting' && phase.reason === 'write') this.#cancelTimer()
    const now = this.#env.now()
    this.#waitUntil(
      Math.max(now + this.#options.debounceMs, this.#lastStartedAt + this.#options.throttleMs),
      'write',
    )
  }

  /** Starts a round now, or once the one in flight ends. */
  #runOrQueue(rerun: 'write' | 'now'): void {
    if (!this.#inFlight) {
      this.#startRound()
      return
    }
    const queued = this.#phase.name === 'running' && this.#phase.rerun === 'now' ? 'now' : rerun
    this.#phase = { name: 'running', rerun: queued }
  }

  #startRound(): void {
    const waiters = this.#waiting
    this.#waiting = []
    this.#phase = { name: 'running', rerun: 'none' }
    this.#inFlight = true
    this.#lastStartedAt = this.#env.now()
    this.#run(this.#controller.signal).then(
      (retryAt) => this.#finish(waiters, null, retryAt),
      (error: unknown) => this.#finish(waiters, error, null),
    )
  }

  #finish(waiters: Waiter[], error: unknown, retryAt: number | null): void {
    this.#inFlight = false
    for (const waiter of waiters) error === null ? waiter.resolve() : waiter.reject(error)
    const phase = this.#phase
    if (phase.name === 'stopped') return
    const rerun = phase.name === 'running' ? phase.rerun : 'none'
    this.#phase = { name: 'idle' }
    this.#failures = error === null ? 0 : this.#failures + 1
    if (this.#waiting.length > 0 || rerun === 'now') {
      this.#startRound()
      return
    }
    if (error !== null) {
      this.#backOff(error)
      return
    }
    if (rerun === 'write') this.notifyWrite()
    if (retryAt !== null) this.#waitUntil(retryAt, 'retry')
  }

  #backOff(error: unknown): void {
    if (!this.#env.isOnline()) return // the online event starts the next round
    const backoff = retryDelay(this.#failures, {
      baseMs: this.#options.retryDelayMs,
      maxMs: this.#options.maxRetryDelayMs,
      random: this.#env.random,
    })
    // A server that says when to come back (429/503 Retry-After) is not asked earlier, cap or not.
    const retryAfter = error instanceof TransportError ? (error.retryAfterMs ?? 0) : 0
    this.#cancelTimer()
    this.#waitUntil(this.#env.now() + Math.max(backoff, retryAfter), 'backoff')
  }

  /** Plans the next round at `at`, unless one is planned earlier already. */
  #waitUntil(at: number, reason: WaitReason): void {
    const phase = this.#phase
    if (phase.name === 'waiting' && phase.at <= at) return
    this.#cancelTimer()
    const timer = this.#env.setTimeout(
      () => {
        if (this.#phase.name !== 'waiting' || this.#phase.timer !== timer) return
        this.#phase = { name: 'idle' }
        // A delay longer than a timer holds fires early, at the cap: wait out the rest.
        if (this.#env.now() < at) {
          this.#waitUntil(at, reason)
          return
        }
        if (!this.#env.isOnline()) return
        this.#runOrQueue('now')
      },
      Math.min(Math.max(0, at - this.#env.now()), MAX_TIMER_MS),
    )
    this.#phase = { name: 'waiting', at, timer, reason }
  }

  /** Leaves `waiting` for `idle`, clearing its timer; other phases are untouched. */
  #cancelTimer(): void {
    if (this.#phase.name !== 'waiting') return
    this.#env.clearTimeout(this.#phase.timer)
    this.#phase = { name: 'idle' }
  }

  #armInterval(): void {
    const { intervalMs } = this.#options
    if (intervalMs === null || intervalMs <= 0) return
    this.#intervalTimer = this.#env.setTimeout(
      () => {
        this.#intervalTimer = null
        if (!this.isActive) return
        this.#armInterval()
        // A round waiting for a debounce or throttle runs now instead; a backoff is left alone.
        const phase = this.#phase
        if (phase.name === 'running' || this.#inFlight || !this.#env.isOnline()) return
        if (phase.name === 'waiting' && phase.reason === 'backoff') return
        this.#cancelTimer()
        this.#startRound()
      },
      Math.min(intervalMs, MAX_TIMER_MS),
    )
  }
}
