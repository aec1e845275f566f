import { type ConnectionOutcome, outcomeOfFailure } from '../shared/connection.js'
import type { SyncEnvironment } from '../shared/env.js'
import { CredentialsError, errorMessage, TransportError } from '../shared/errors.js'
import { loadOnce } from '../shared/loadOnce.js'
import type { SyncStatus } from '../shared/status.js'
import type { EngineContext } from '../sync/engineContext.js'
import type { LeaderStatus } from '../tabs/tabCoordinator.js'
import type { Transport, TransportContext } from '../transport/types.js'
import type { SyncConnector, UploadClient } from './connector.js'
import { lazyCredentialCache } from './credentialChunk.js'
import type { CredentialCache } from './credentials.js'
import { type SchedulerOptions, SyncScheduler } from './scheduler.js'

/** The meta key under which the clock is saved after every round. */
export const CLOCK_KEY = 'clock'
/** The meta key under which the end of the last complete round is kept, so a reload knows it synced. */
export const LAST_SYNCED_KEY = 'lastSyncedAt'

export interface SyncSessionOptions {
  /** What the loops share, except the transport, which the session provides. */
  readonly engine: Omit<EngineContext, 'withTransport'>
  readonly connector: SyncConnector
  readonly transport: Transport
  /** What the connector's `uploadData(client)` is handed. */
  readonly uploadClient: UploadClient
  readonly scheduler: SchedulerOptions
  /** Reads the current status (for what a round leaves in `lastError`). */
  readonly status: () => SyncStatus
  /** Updates the fields of the status the leader owns. */
  readonly report: (patch: LeaderStatus) => void
  /** Settles when the previous session's last round has ended: rounds never overlap. */
  readonly after: Promise<void>
  /** Hears what each request to the backend said about the connection. */
  readonly onOutcome?: (outcome: ConnectionOutcome) => void
  /** Reads the queue counts into the status again, so a round never ends on counts from before it. */
  readonly recount?: () => Promise<void>
}

/**
 * One connection, from `connect()` to `disconnect()`: the connector's credentials, the transport, the
 * scheduler and the upload + pull rounds it runs while this tab leads.
 */
export class SyncSession {
  readonly connector: SyncConnector
  readonly #scheduler: SyncScheduler
  readonly #credentials: Pick<CredentialCache, 'get' | 'invalidate'> | null
  readonly #context: EngineContext
  /** The upload and pull loops, a chunk of their own, off the page's first load; fetched again after a failure. */
  readonly #loadLoops = loadOnce(async () => {
    const [{ UploadLoop }, { PullLoop }] = await Promise.all([
      import('../sync/uploadLoop.js'),
      import('../sync/pullLoop.js'),
    ])
    return { uploads: new UploadLoop(this.#context), pulls: new PullLoop(this.#context) }
  })
  readonly #env: SyncEnvironment
  #lastRound: Promise<void>
  #stopLive: (() => void) | null = null

  readonly #options: SyncSessionOptions

  constructor(options: SyncSessionOptions) {
    this.#options = options
    const { connector, engine } = options
    this.connector = connector
    this.#env = engine.env
    this.#lastRound = options.after
    this.#credentials = connector.fetchCredentials
      ? lazyCredentialCache(
          () => connector.fetchCredentials!(),
          this.#env,
          () => engine.clock.physicalNow(),
        )
      : null
    this.#context = { ...engine, withTransport: (call) => this.#withTransport(call) }
    this.#scheduler = new SyncScheduler(
      (signal) => this.#trackRound(signal),
      this.#env,
      options.scheduler,
      (nextRetryAt) => options.report({ nextRetryAt }),
    )
    // Fetched at connect in every tab, leading or not: a tab that leads hours later, after a deploy
    // removed the old chunks, already holds them.
    void this.#loadLoops().catch(() => {})
  }

  /** Whether the loops run (this tab leads and the session was started). */
  get isRunning(): boolean {
    return this.#scheduler.isActive
  }

  /** Settles when the round in flight, if any, has ended. */
  get settled(): Promise<void> {
    return this.#lastRound
  }

  /** Starts the loops in this tab, with a first round at once. */
  start(): void {
    if (this.#scheduler.isActive) return
    this.#options.report({ isConnecting: true })
    this.#scheduler.start()
    this.#startLive()
  }

  /** Stops the loops and aborts the round in flight; callers waiting on a round are rejected with `reason`. */
  stop(reason: Error): void {
    this.#stopLive?.()
    this.#stopLive = null
    this.#scheduler.stop(reason)
  }

  /** The transport's live channel, held while the loops run: a poke asks for the ordinary round. */
  #startLive(): void {
    const { transport, report } = this.#options
    if (this.#stopLive || !transport.live) return
    const credentials = this.#credentials
    this.#stopLive = transport.live({
      credentials: async () => (credentials ? credentials.get() : undefined),
      invalidateCredentials: (token) => credentials?.invalidate(token),
      // A round already running takes the poke along: the scheduler runs at most one more after it.
      onPoke: () => {
        if (this.#scheduler.isActive && this.#env.isOnline()) this.#scheduler.requestRound().catch(() => {})
      },
      onLiveChange: (open) =>
        report(open ? { isConnected: true, isConnecting: false } : { isConnected: false }),
    })
  }

  /** A round now, past any debounce or backoff; resolves when a round started after the call ends. */
  requestRound(): Promise<void> {
    return this.#scheduler.requestRound()
  }

  /** A local write is queued: a round follows after the debounce. */
  notifyWrite(): void {
    this.#scheduler.notifyWrite()
  }

  #trackRound(signal: AbortSignal): Promise<number | null> {
    const round = this.#lastRound.then(() => this.#runRound(signal))
    this.#lastRound = round.then(
      () => {},
      () => {},
    )
    return round
  }

  async #runRound(signal: AbortSignal): Promise<number | null> {
    const { report, engine } = this.#options
    signal.throwIfAborted()
    const drained = await this.#stage('push', signal, async () => {
      const drained = await (await this.#loadLoops()).uploads.drain(
        this.connector,
        this.#options.uploadClient,
        signal,
        (uploadProgress) => report({ isUploading: true, uploadProgress }),
      )
      // Before the upload is reported over, so isSyncing never blinks off between it and the download.
      report({ uploadError: drained.rejection, isDownloading: true })
      return drained
    })
    await this.#options.recount?.()
    const {
      applied: pulled,
      more,
      unended,
    } = await this.#stage('pull', signal, () =>
      this.#loadLoops().then(({ pulls }) =>
        pulls.pullAll(signal, (downloadProgress) => report({ downloadProgress })),
      ),
    )
    await engine.outbox.setMeta(CLOCK_KEY, engine.clock.toJSON())
    const now = this.#env.now()
    if (more) {
      // The backlog goes on in the next round, after that round's uploads; the catch-up is not done yet.
      report({
        isDownloading: false,
        downloadError: null,
        ...(unended ? { lastError: unended.message } : {}),
      })
      engine.emit({ phase: 'complete', at: now, pushed: drained.uploaded, pulled })
      this.#scheduler.requestRound().catch(() => {})
      return drained.retryAt
    }
    await engine.outbox.setMeta(LAST_SYNCED_KEY, now)
    const status = this.#options.status()
    report({
      hasSynced: true,
      lastSyncedAt: now,
      downloadError: null,
      lastError: drained.rejection ?? (status.failedChanges > 0 ? status.lastError : null),
    })
    engine.emit({ phase: 'complete', at: now, pushed: drained.uploaded, pulled })
    return drained.retryAt
  }

  /** Runs the upload or the download of a round; its failure shows in the status and as an error event. */
  async #stage<T>(stage: 'push' | 'pull', signal: AbortSignal, run: () => Promise<T>): Promise<T> {
    const { report } = this.#options
    try {
      return await run()
    } catch (error) {
      if (!signal.aborted) {
        const message = errorMessage(error)
        report(
          stage === 'push'
            ? { uploadError: message, lastError: message }
            : { downloadError: message, lastError: message },
        )
        this.#reportError(error instanceof CredentialsError ? 'credentials' : stage, error)
      }
      throw error
    } finally {
      report(
        stage === 'push'
          ? { isUploading: false, uploadProgress: null }
          : { isDownloading: false, downloadProgress: null },
      )
    }
  }

  /** Calls the transport with current credentials; a 401 drops them and tries once more with fresh ones. */
  async #withTransport<T>(call: (transport: Transport, context: TransportContext) => Promise<T>): Promise<T> {
    const { transport, report } = this.#options
    const credentials = this.#credentials
    let token: string | undefined
    const attempt = async () => {
      const current = credentials ? await credentials.get() : undefined
      token = current?.token
      return call(transport, current ? { credentials: current } : {})
    }
    try {
      let result: T
      try {
        result = await attempt()
      } catch (error) {
        if (!(error instanceof TransportError && error.status === 401 && credentials)) throw error
        credentials.invalidate(token)
        result = await attempt()
      }
      report({ isConnected: true, isConnecting: false })
      this.#hearOutcome('reached')
      return result
    } catch (error) {
      this.#hearOutcome(outcomeOfFailure(error))
      // Fresh credentials were refused too: drop them, so the next attempt fetches again first.
      if (error instanceof TransportError && error.status === 401) credentials?.invalidate(token)
      const unreachable =
        error instanceof TransportError && (error.status === 0 || error.status >= 500 || error.status === 401)
      if (unreachable || error instanceof CredentialsError)
        report({ isConnected: false, isConnecting: false })
      throw error
    }
  }

  /** Only a running session's answers count: a request aborted by stop() says nothing about the server. */
  #hearOutcome(outcome: ConnectionOutcome): void {
    if (outcome !== 'unknown' && this.#scheduler.isActive) this.#options.onOutcome?.(outcome)
  }

  #reportError(stage: 'push' | 'pull' | 'credentials', error: unknown): void {
    const wrapped = error instanceof Error ? error : new Error(errorMessage(error))
    this.#options.engine.emit({ phase: 'error', at: this.#env.now(), stage, error: wrapped })
  }
}
