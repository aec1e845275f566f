import type { SyncEnvironment } from './env.js'

/** What the meta table keeps between sessions. */
export interface HybridClockState {
  /** The highest timestamp issued or observed, epoch milliseconds. */
  readonly last: number
  /** Estimated server time minus device time, milliseconds. */
  readonly offsetMs: number
  /** Whether the offset comes from the server's answer, rather than being a guess of 0. */
  readonly synced?: boolean
}

export interface HybridClockOptions {
  /** Round trips longer than this say too little about the server's time and are ignored. */
  maxRoundTripMs?: number
  /** Offsets larger than this are taken for a broken server answer and ignored. */
  maxOffsetMs?: number
  /**
   * Once the server offset is known, observed timestamps further than this ahead of server time come from a
   * skewed device and are not followed, and timestamps this clock issued that far ahead are left behind.
   */
  maxDriftMs?: number
}

const DEFAULT_MAX_ROUND_TRIP_MS = 60_000
const DEFAULT_MAX_OFFSET_MS = 366 * 24 * 60 * 60 * 1000
const DEFAULT_MAX_DRIFT_MS = 60_000

/**
 * A hybrid logical clock in epoch milliseconds: close to the server's wall clock, strictly increasing,
 * and never behind any timestamp it has seen, so last-writer-wins orders edits across devices whose
 * own clocks disagree.
 */
export class HybridClock {
  #last: number
  #offsetMs: number
  readonly #maxRoundTripMs: number
  readonly #maxOffsetMs: number
  readonly #maxDriftMs: number
  #synced: boolean

  readonly #env: Pick<SyncEnvironment, 'now'>

  constructor(env: Pick<SyncEnvironment, 'now'>, state?: HybridClockState, options: HybridClockOptions = {}) {
    this.#env = env
    this.#maxRoundTripMs = options.maxRoundTripMs ?? DEFAULT_MAX_ROUND_TRIP_MS
    this.#maxOffsetMs = options.maxOffsetMs ?? DEFAULT_MAX_OFFSET_MS
    this.#maxDriftMs = options.maxDriftMs ?? DEFAULT_MAX_DRIFT_MS
    this.#last = state?.last ?? 0
    const offset = state?.offsetMs ?? 0
    this.#offsetMs = Math.abs(offset) <= this.#maxOffsetMs ? offset : 0
    this.#synced = state?.synced === true && this.#offsetMs === offset
  }

  /** The device clock corrected by the server offset: the best guess of the server's time now. */
  physicalNow(): number {
    return this.#env.now() + this.#offsetMs
  }

  /** A timestamp greater than every one issued or observed before. */
  now(): number {
    this.#last = Math.max(Math.floor(this.physicalNow()), this.#last + 1)
    return this.#last
  }

  /** Takes in a timestamp from another device or the server, so later local ones sort after it. */
  observe(remoteTimestamp: number): void {
    if (!Number.isFinite(remoteTimestamp)) return
    // Following a device an hour ahead would pin every later timestamp to its clock for that hour.
    if (this.#synced && remoteTimestamp > this.physicalNow() + this.#maxDriftMs) return
    this.#last = Math.max(this.#last, Math.floor(remoteTimestamp))
  }

  /**
   * Estimates the device's offset from the server's clock, from one request: the server read its clock
   * at `serverNow`, between the device times `sentAt` and `receivedAt`. The latest sane sample wins.
   */
  setServerTime(serverNow: number, sentAt: number, receivedAt: number): boolean {
    const roundTrip = receivedAt - sentAt
    if (![serverNow, sentAt, receivedAt].every(Number.isFinite)) return false
    if (roundTrip < 0 || roundTrip > this.#maxRoundTripMs) return false
    // The server most likely read its clock halfway through the round trip.
    const offset = Math.round(serverNow - (sentAt + roundTrip / 2))
    if (Math.abs(offset) > this.#maxOffsetMs) return false
    this.#offsetMs = offset
    this.#synced = true
    // Timestamps issued before the device knew it ran far ahead were wrong; do not keep counting from them.
    const physical = Math.floor(this.physicalNow())
    if (this.#last > physical + this.#maxDriftMs) this.#last = physical
    return true
  }

  /** The server offset currently applied, milliseconds. */
  get serverOffsetMs(): number {
    return this.#offsetMs
  }

  /** Takes in state saved by this or another tab (`toJSON()`), keeping whichever is further along. */
  merge(saved: unknown): void {
    const state = readState(saved)
    if (!state) return
    if (!this.#synced && Math.abs(state.offsetMs) <= this.#maxOffsetMs) {
      if (this.#offsetMs === 0) this.#offsetMs = state.offsetMs
      this.#synced = state.synced === true
    }
    this.observe(state.last)
  }

  toJSON(): HybridClockState {
    return { last: this.#last, offsetMs: this.#offsetMs, synced: this.#synced }
  }
}

function readState(saved: unknown): HybridClockState | undefined {
  if (typeof saved !== 'object' || saved === null) return undefined
  const { last, offsetMs } = saved as Record<string, unknown>
  if (typeof last !== 'number' || !Number.isFinite(last) || last < 0) return undefined
  const { synced } = saved as Record<string, unknown>
  return {
    last,
    offsetMs: typeof offsetMs === 'number' && Number.isFinite(offsetMs) ? offsetMs : 0,
    synced: synced === true,
  }
}
