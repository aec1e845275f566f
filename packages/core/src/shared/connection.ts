import type { SyncEnvironment } from './env.js'
import { CredentialsError, TransportError } from './errors.js'

/**
 * Where sync stands with the backend, in the terms a person acts on:
 * - `disconnected`: the app has not called `connect()` (or called `disconnect()`);
 * - `paused`: someone paused sync (`pause()`), in this tab or another;
 * - `offline`: the device has no network;
 * - `connecting`: on the way, nothing known yet (after `connect()`, a reload, or the network coming back);
 * - `connected`: the backend answered the last request;
 * - `unreachable`: the network is up but the backend does not answer (down, timing out, 5xx);
 * - `needs-auth`: the backend refused the credentials, or the app could not get any.
 */
export type ConnectionState =
  | 'disconnected'
  | 'paused'
  | 'offline'
  | 'connecting'
  | 'connected'
  | 'unreachable'
  | 'needs-auth'

export const connectionStates = [
  'disconnected',
  'paused',
  'offline',
  'connecting',
  'connected',
  'unreachable',
  'needs-auth',
] as const satisfies readonly ConnectionState[]

/** How long a problem must last before it is shown; a blip shorter than this never reaches the UI. */
export const DEFAULT_CONNECTION_GRACE_MS = 3_000

/** What the last request to the backend told us. */
export type ConnectionOutcome = 'unknown' | 'reached' | 'unreachable' | 'refused'

export interface ConnectionFacts {
  /** `connect()` was called and not undone. */
  readonly started: boolean
  readonly paused: boolean
  /** The browser reports a network. */
  readonly online: boolean
  readonly outcome: ConnectionOutcome
}

const PROBLEMS: ReadonlySet<ConnectionState> = new Set(['offline', 'unreachable', 'needs-auth'])

/** True for the states that mean changes cannot sync although the user did not ask for that. */
export function isConnectionProblem(state: ConnectionState): boolean {
  return PROBLEMS.has(state)
}

/** The state the facts describe right now, before any grace period. */
export function connectionFromFacts(facts: ConnectionFacts): ConnectionState {
  if (!facts.started) return 'disconnected'
  if (facts.paused) return 'paused'
  if (!facts.online) return 'offline'
  switch (facts.outcome) {
    case 'reached':
      return 'connected'
    case 'unreachable':
      return 'unreachable'
    case 'refused':
      return 'needs-auth'
    default:
      return 'connecting'
  }
}

/**
 * What a failed request says about the connection: `unreachable` for network errors, timeouts and
 * server errors, `refused` for rejected credentials (401/403) or credentials the app could not produce,
 * `reached` for any other answer (the backend is there; the request itself was wrong).
 */
export function outcomeOfFailure(error: unknown): ConnectionOutcome {
  if (error instanceof TransportError) {
    if (error.status === 401 || error.status === 403) return 'refused'
    return error.retryable ? 'unreachable' : 'reached'
  }
  if (error instanceof CredentialsError) {
    // fetchCredentials() that failed on the network is the backend being away, not the user's sign-in.
    return error.cause instanceof TypeError ||
      (error.cause instanceof TransportError && error.cause.retryable)
      ? 'unreachable'
      : 'refused'
  }
  return error instanceof TypeError ? 'unreachable' : 'unknown'
}

/**
 * Turns facts into the shown `ConnectionState` with hysteresis: a problem (offline, unreachable,
 * needs-auth) is shown only once it has lasted `graceMs`; recovery, pausing and connecting are shown at
 * once, and one problem replaces another at once. A connection that was shown as working stays so while
 * a new attempt is on its way.
 */
export class ConnectionTracker {
  #facts: ConnectionFacts = { started: false, paused: false, online: true, outcome: 'unknown' }
  #shown: ConnectionState = 'disconnected'
  #timer: unknown = null

  readonly #env: Pick<SyncEnvironment, 'setTimeout' | 'clearTimeout'>
  readonly #graceMs: number
  readonly #onChange: (state: ConnectionState) => void

  constructor(
    env: Pick<SyncEnvironment, 'setTimeout' | 'clearTimeout'>,
    graceMs: number,
    onChange: (state: ConnectionState) => void,
  ) {
    this.#env = env
    this.#graceMs = graceMs
    this.#onChange = onChange
  }

  get state(): ConnectionState {
    return this.#shown
  }

  get current(): ConnectionFacts {
    return this.#facts
  }

  update(patch: Partial<ConnectionFacts>): void {
    const next = { ...this.#facts, ...patch }
    // Going offline or (re)starting forgets what the backend said: the next answer is news.
    if ((patch.online === false && this.#facts.online) || (patch.started && !this.#facts.started)) {
      next.outcome = patch.outcome ?? 'unknown'
    }
    this.#facts = next
    const raw = connectionFromFacts(next)
    // A blip that was never shown ends without a "connecting" flash: connected stays until told otherwise.
    if (raw === 'connecting' && this.#shown === 'connected') {
      this.#cancel()
      return
    }
    if (!isConnectionProblem(raw) || isConnectionProblem(this.#shown) || this.#graceMs <= 0) {
      this.#cancel()
      this.#show(raw)
      return
    }
    if (this.#timer !== null) return
    this.#timer = this.#env.setTimeout(() => {
      this.#timer = null
      this.#show(connectionFromFacts(this.#facts))
    }, this.#graceMs)
  }

  dispose(): void {
    this.#cancel()
  }

  #cancel(): void {
    if (this.#timer !== null) this.#env.clearTimeout(this.#timer)
    this.#timer = null
  }

  #show(state: ConnectionState): void {
    if (state === this.#shown) return
    this.#shown = state
    this.#onChange(state)
  }
}
