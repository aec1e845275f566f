import type { Dexie } from 'dexie'
import { liveQuery } from 'dexie'
import type { BackfillOptions, BackfillResult } from '../capture/backfill.js'
import { attachOutbox, type SyncedTables } from '../capture/capture.js'
import {
  type ChangeStatus,
  type CrudBatch,
  type CrudTransaction,
  META_TABLE,
  OUTBOX_TABLE,
  type Outbox,
  type OutboxEntry,
} from '../capture/outbox.js'
import { watchStorageFull } from '../capture/storageFull.js'
import { HybridClock } from '../shared/clock.js'
import { ConnectionTracker } from '../shared/connection.js'
import { defaultEnvironment, type SyncEnvironment } from '../shared/env.js'
import { DriftlessError, NotConnectedError, SyncPausedError } from '../shared/errors.js'
import type { SyncEvent, SyncEventListener } from '../shared/events.js'
import { Listeners } from '../shared/listeners.js'
import { type SyncStatus, SyncStatusStore } from '../shared/status.js'
import type { EngineContext } from '../sync/engineContext.js'
import { rememberUploaded } from '../sync/uploaded.js'
import { TabCoordinator } from '../tabs/tabCoordinator.js'
import { HttpTransport } from '../transport/http.js'
import type { Transport } from '../transport/types.js'
import type { SyncConnector, UploadClient } from './connector.js'
import { watchDatabaseDeleted } from './databaseDeleted.js'
import { type EngineOptions, resolveEngineOptions, type SyncOptions } from './options.js'
import { QueueCounts } from './queueCounts.js'
import type { SchedulerOptions } from './scheduler.js'
import { SharedPause } from './sharedPause.js'
import { StorageGuard } from './storageGuard.js'
import { CLOCK_KEY, LAST_SYNCED_KEY, SyncSession } from './syncSession.js'

/** What the app and `@driftless/react` hold: one per database, whichever tab leads. */
export interface SyncClient extends UploadClient {
  readonly db: Dexie
  /** The current status snapshot; the same object until a field changes. */
  getSnapshot(): SyncStatus
  /** Hears every new status snapshot; returns the unsubscribe function. */
  subscribe(listener: (status: SyncStatus) => void): () => void
  /** Hears push, pull, conflict, complete and error events; returns the unsubscribe function. */
  onSync(listener: SyncEventListener): () => void
  /** Runs an upload + download round now (forwarded to the leader tab); resolves when it is done. */
  sync(): Promise<void>
  /** Outbox entries, oldest first, optionally of some statuses only. */
  listChanges(filter?: { status?: ChangeStatus | readonly ChangeStatus[] }): Promise<OutboxEntry[]>
  /** Calls `listener` with the matching entries now and after every outbox change; returns unsubscribe. */
  watchChanges(
    filter: { status?: ChangeStatus | readonly ChangeStatus[] },
    listener: (entries: OutboxEntry[]) => void,
  ): () => void
  /** Puts failed changes (all, or those ids) back in the queue with a fresh retry count. */
  retryFailed(ids?: readonly string[]): Promise<number>
  /** Drops failed changes (all, or those ids) from the queue; the local rows keep their data. */
  discardFailed(ids?: readonly string[]): Promise<number>
  /**
   * Queues, once, the rows of synced tables that no change describes yet (rows from before Driftless);
   * rows the server has or the queue holds are left alone. Safe to call at every start.
   */
  backfill(options?: Omit<BackfillOptions, 'timestamp'>): Promise<BackfillResult>
  /**
   * Starts syncing with the app's backend: uploads and pulls run while connected (in the leader tab).
   * Without a connector, the transport is used as configured (its own url and headers).
   */
  connect(connector?: SyncConnector): Promise<void>
  /** Stops syncing; local writes keep queuing and go out on the next connect(). */
  disconnect(): Promise<void>
  /**
   * Pauses sync for every tab of this database, also after a reload, until `resume()`: no uploads or pulls
   * run; local writes keep queuing. The status says `isPaused` and `connection: 'paused'` in every tab.
   */
  pause(): Promise<void>
  /** Ends a pause, in every tab: the leader tab syncs at once. */
  resume(): Promise<void>
  /** Stops the loops and releases the tab's leadership; the database stays open for the app. */
  close(): Promise<void>
}

export interface SyncClientOptions extends SyncOptions {
  /** The synced tables of `db`, each optionally with a Standard Schema (zod, valibot, arktype…) every write must pass. */
  tables: SyncedTables
  /** How changes travel; defaults to an HttpTransport whose base URL is the credentials' endpoint. */
  transport?: Transport
  /** Tabs with the same name share one leader; defaults to the database name. */
  name?: string
  /** Clocks, timers, fetch, online events, BroadcastChannel and Web Locks; tests pass their own. */
  env?: SyncEnvironment
  /**
   * Ask the browser to persist this site's data (`navigator.storage.persist()`) once the first local write
   * has synced, so it is not evicted under storage pressure. On by default.
   */
  persistStorage?: boolean
}

/**
 * Sets `db` up for sync: call it after `db.version(...).stores(...)` and before the first query.
 * Writes are captured from then on; `connect()` starts the upload and pull loops.
 */
export function createSyncClient(db: Dexie, options: SyncClientOptions): SyncClient {
  return new DriftlessClient(db, options)
}

/**
 * The façade the app holds: the outbox and the status live as long as the client; each `connect()` makes
 * a sync session, which runs while this tab leads; the tab coordinator decides which tab that is.
 */
class DriftlessClient implements SyncClient {
  readonly db: Dexie
  readonly #env: SyncEnvironment
  readonly #outbox: Outbox
  readonly #clock: HybridClock
  readonly #status: SyncStatusStore
  readonly #events: Listeners<SyncEvent>
  readonly #transport: Transport
  readonly #tabs: TabCoordinator
  readonly #storage: StorageGuard
  readonly #engine: Omit<EngineContext, 'withTransport'>
  readonly #schedulerOptions: SchedulerOptions
  readonly #cleanups: (() => void)[] = []
  readonly #connection: ConnectionTracker
  readonly #counts: QueueCounts
  readonly #sharedPause: SharedPause
  /** The shared pause as last read from the database. */
  #paused = false
  /** Set while the database deleted under a paused client reopens, until the pause is stored again. */
  #pauseToRestore = false
  /** What `isLoaded` waits for: the stored meta (clock, last sync, pause) and the first queue counts. */
  #loaded = { meta: false, counts: false }
  /** The current connection; null while disconnected. */
  #session: SyncSession | null = null
  /** The last session's final round, which the next session's first round waits for. */
  #previousRounds: Promise<void> = Promise.resolve()
  #closed = false
  #starting: Promise<void> | null = null
  readonly #ready: Promise<void>

  constructor(db: Dexie, options: SyncClientOptions) {
    const { tables, transport, name, env, persistStorage = true, ...engineOptions } = options
    this.db = db
    this.#env = env ?? defaultEnvironment()
    const resolved: EngineOptions = resolveEngineOptions(engineOptions)
    this.#clock = new HybridClock(this.#env)
    this.#outbox = attachOutbox(db, { tables, timestamp: () => this.#clock.now() })
    this.#status = new SyncStatusStore({ isOnline: this.#env.isOnline() }, this.#env.logger)
    this.#events = new Listeners(this.#env.logger, 'an onSync listener')
    this.#storage = new StorageGuard(this.#env, this.#status, persistStorage)
    watchStorageFull(db, (full) => this.#storage.setFull(full))
    this.#events.add((event) => {
      if (event.phase === 'complete') void this.#storage.afterRound(event.pushed)
    })
    void this.#storage.refresh()
    this.#transport = transport ?? new HttpTransport({ env: this.#env })
    this.#engine = {
      db,
      outbox: this.#outbox,
      env: this.#env,
      options: resolved,
      clock: this.#clock,
      tables: new Map(Object.keys(tables).map((table) => [table, primaryKeyPath(db, table)])),
      emit: (event) => this.#events.notify(event),
    }
    const autoSync = resolved.autoSync
    this.#schedulerOptions = {
      debounceMs: autoSync === false ? 0 : autoSync.debounceMs,
      throttleMs: resolved.uploadThrottleMs,
      intervalMs: autoSync === false ? null : autoSync.intervalMs,
      retryDelayMs: resolved.retryDelayMs,
      maxRetryDelayMs: resolved.maxRetryDelayMs,
    }
    this.#tabs = new TabCoordinator(name ?? db.name, this.#env, this.#status, {
      lead: () => {
        this.#startLeading().catch((error: unknown) => this.#reportLeadError(error))
      },
      follow: (reason) => this.#session?.stop(reason),
      sync: () => this.sync(),
    })
    this.#connection = new ConnectionTracker(this.#env, resolved.connectionGraceMs, (connection) => {
      // Followers show the leader's view, which is the one that talks to the backend.
      if (this.#tabs.isLeader) this.#tabs.update({ connection })
    })
    this.#connection.update({ online: this.#env.isOnline() })
    this.#sharedPause = new SharedPause(this.#outbox, this.#env.logger)
    this.#ready = this.#restoreMeta()
    this.#counts = new QueueCounts(this.#outbox, this.#status, this.#env, {
      loaded: () => this.#markLoaded('counts'),
      newWrites: () => this.#session?.notifyWrite(),
    })
    this.#counts.start()
    this.#cleanups.push(() => this.#counts.stop())
    this.#watchOnline()
    this.#watchPause()
    this.#cleanups.push(
      watchDatabaseDeleted(db, this.#env, {
        deleted: () => {
          // "Work offline" was the person's choice, not data: it outlives the database it was stored in.
          this.#pauseToRestore = this.#paused
          const { pendingChanges, failedChanges } = this.#status.getSnapshot()
          this.#counts.restartSequence()
          this.#tabs.update({ hasSynced: false, lastSyncedAt: null })
          const lostChanges = pendingChanges + failedChanges
          this.#events.notify({
            phase: 'reset',
            at: this.#env.now(),
            reason: 'database-deleted',
            lostChanges,
          })
        },
        reopened: () => {
          if (this.#pauseToRestore) {
            this.#sharedPause
              .write(true)
              .catch((error: unknown) =>
                this.#env.logger.error('Driftless: restoring the pause failed', error),
              )
              .finally(() => {
                this.#pauseToRestore = false
              })
            return
          }
          if (this.#tabs.isLeader) this.#session?.requestRound().catch(() => {})
        },
        isClosed: () => this.#closed,
      }),
    )
    this.#tabs.start()
  }

  getSnapshot = (): SyncStatus => this.#status.getSnapshot()
  subscribe = (listener: (status: SyncStatus) => void): (() => void) => this.#status.subscribe(listener)
  onSync = (listener: SyncEventListener): (() => void) => this.#events.add(listener)

  async connect(connector: SyncConnector = {}): Promise<void> {
    this.#assertOpen()
    if (this.#session) await this.disconnect()
    this.#session = new SyncSession({
      engine: this.#engine,
      connector,
      transport: this.#transport,
      uploadClient: this,
      scheduler: this.#schedulerOptions,
      status: this.#status.getSnapshot,
      report: (patch) => this.#tabs.update(patch),
      after: this.#previousRounds,
      onOutcome: (outcome) => this.#connection.update({ outcome }),
      recount: () => this.#counts.recount(),
    })
    this.#connection.update({ started: true })
    if (!this.#tabs.isLeader && this.#status.getSnapshot().connection === 'disconnected') {
      this.#status.update({ connection: this.#paused ? 'paused' : 'connecting' })
    }
    if (this.#tabs.isLeader) await this.#startLeading()
  }

  async disconnect(): Promise<void> {
    const session = this.#session
    if (!session) return
    this.#session = null
    session.stop(new NotConnectedError())
    this.#previousRounds = session.settled
    this.#connection.update({ started: false })
    this.#tabs.update({
      isConnected: false,
      isConnecting: false,
      isUploading: false,
      isDownloading: false,
      nextRetryAt: null,
      downloadProgress: null,
      uploadProgress: null,
    })
  }

  async pause(): Promise<void> {
    this.#assertOpen()
    await this.#sharedPause.write(true)
    this.#applyPause(true)
  }

  async resume(): Promise<void> {
    this.#assertOpen()
    await this.#sharedPause.write(false)
    this.#applyPause(false)
  }

  async sync(): Promise<void> {
    this.#assertOpen()
    if (this.#paused) throw new SyncPausedError()
    if (!this.#tabs.isLeader) return this.#tabs.forwardSync(() => this.sync())
    if (!this.#session) throw new NotConnectedError()
    // Just elected (e.g. a forwarded sync() retried after a takeover): the loops may still be starting.
    if (!this.#session.isRunning) await this.#startLeading()
    if (!this.#session) throw new NotConnectedError()
    return this.#session.requestRound()
  }

  async getCrudBatch(limit?: number): Promise<CrudBatch | null> {
    const batch = await this.#outbox.getCrudBatch(limit)
    return batch && { ...batch, complete: () => this.#completeUploaded(batch) }
  }

  async getNextCrudTransaction(): Promise<CrudTransaction | null> {
    const transaction = await this.#outbox.getNextCrudTransaction()
    return transaction && { ...transaction, complete: () => this.#completeUploaded(transaction) }
  }

  /** The backend has these changes now: their echoes in a later pull are ours, never conflicts. */
  #completeUploaded(uploaded: CrudBatch | CrudTransaction): Promise<void> {
    return this.db.transaction('rw', [OUTBOX_TABLE, META_TABLE], async () => {
      const seenAtSeq = await this.#outbox.highWater()
      await uploaded.complete()
      await rememberUploaded(this.#engine, uploaded.crud, seenAtSeq)
    })
  }

  listChanges(filter?: { status?: ChangeStatus | readonly ChangeStatus[] }): Promise<OutboxEntry[]> {
    return this.#outbox.list(filter)
  }

  watchChanges(
    filter: { status?: ChangeStatus | readonly ChangeStatus[] },
    listener: (entries: OutboxEntry[]) => void,
  ): () => void {
    const entries = new Listeners<OutboxEntry[]>(this.#env.logger, 'a watchChanges listener')
    entries.add(listener)
    const subscription = liveQuery(() => this.#outbox.list(filter)).subscribe({
      next: (value) => entries.notify(value),
      error: (error: unknown) => this.#env.logger.error('Driftless: watching the outbox failed', error),
    })
    return () => subscription.unsubscribe()
  }

  async retryFailed(ids?: readonly string[]): Promise<number> {
    const count = await this.#outbox.retryFailed(ids)
    if (count > 0) this.#session?.notifyWrite()
    return count
  }

  discardFailed(ids?: readonly string[]): Promise<number> {
    return this.#outbox.discardFailed(ids)
  }

  async backfill(options?: Omit<BackfillOptions, 'timestamp'>): Promise<BackfillResult> {
    this.#assertOpen()
    await this.#ready
    // Its own chunk: most apps never adopt a database from before Driftless.
    const { backfill } = await import('../capture/backfill.js')
    return backfill(this.#outbox, { ...options, timestamp: () => this.#clock.now() })
  }

  async close(): Promise<void> {
    if (this.#closed) return
    await this.disconnect()
    this.#closed = true
    for (const cleanup of this.#cleanups.splice(0)) cleanup()
    this.#connection.dispose()
    this.#tabs.close()
  }

  /** Follows the browser's online flag: the status shows it, and coming back online starts a round. */
  #watchOnline(): void {
    this.#cleanups.push(
      this.#env.onOnlineChange((online) => {
        this.#status.update({ isOnline: online })
        this.#connection.update({ online })
        if (online && this.#tabs.isLeader) this.#session?.requestRound().catch(() => {})
      }),
    )
  }

  /** Follows the shared pause, which any tab may set: every tab shows it, the leader obeys it. */
  #watchPause(): void {
    this.#cleanups.push(this.#sharedPause.watch((paused) => this.#applyPause(paused)))
  }

  #applyPause(paused: boolean): void {
    if (this.#closed || (this.#pauseToRestore && !paused)) return
    const changed = paused !== this.#paused
    this.#paused = paused
    this.#status.update({ isPaused: paused })
    this.#connection.update({ paused })
    // The pause is shared state every tab reads itself: a tab not leading (yet) must not wait for a leader to say so.
    if (!this.#tabs.isLeader) this.#showPauseWhileFollowing(paused)
    if (!changed || !this.#tabs.isLeader || !this.#session) return
    if (paused) {
      this.#session.stop(new SyncPausedError())
      this.#tabs.update({ isUploading: false, isDownloading: false, isConnecting: false, nextRetryAt: null })
    } else {
      this.#startLeading().catch((error: unknown) => this.#reportLeadError(error))
    }
  }

  #showPauseWhileFollowing(paused: boolean): void {
    const { connection } = this.#status.getSnapshot()
    if (paused && connection !== 'disconnected') this.#status.update({ connection: 'paused' })
    else if (!paused && connection === 'paused')
      this.#status.update({ connection: this.#session ? 'connecting' : 'disconnected' })
  }

  #markLoaded(part: 'meta' | 'counts'): void {
    this.#loaded[part] = true
    if (this.#loaded.meta && this.#loaded.counts) this.#status.update({ isLoaded: true })
  }

  /** Starts the loops in this tab; concurrent callers share one start. */
  #startLeading(): Promise<void> {
    if (!this.#starting) {
      this.#starting = this.#beginLeading().finally(() => {
        this.#starting = null
      })
    }
    return this.#starting
  }

  async #beginLeading(): Promise<void> {
    await this.#ready
    // Only the leader uploads, so anything left `syncing` was in flight in a tab that is gone.
    await this.#outbox.init()
    this.#status.update({ connection: this.#connection.state })
    this.#tabs.announceLeading()
    if (this.#tabs.isLeader && !this.#paused) this.#session?.start()
  }

  #reportLeadError(error: unknown): void {
    const wrapped = error instanceof Error ? error : new Error(String(error))
    this.#events.notify({ phase: 'error', at: this.#env.now(), stage: 'push', error: wrapped })
  }

  /** Reads what earlier visits left: the clock, when sync last completed, and the shared pause. */
  async #restoreMeta(): Promise<void> {
    const [clock, lastSyncedAt, paused] = await Promise.all([
      this.#outbox.getMeta(CLOCK_KEY),
      this.#outbox.getMeta<number>(LAST_SYNCED_KEY),
      this.#sharedPause.read(),
    ])
    this.#clock.merge(clock)
    if (typeof lastSyncedAt === 'number' && !this.#status.getSnapshot().hasSynced) {
      this.#status.update({ hasSynced: true, lastSyncedAt })
    }
    this.#applyPause(paused)
    this.#markLoaded('meta')
  }

  #assertOpen(): void {
    if (this.#closed) throw new DriftlessError('CLOSED', 'This sync client was closed; create a new one.')
  }
}

function primaryKeyPath(db: Dexie, table: string): string {
  const keyPath = db.table(table).schema.primKey.keyPath
  return typeof keyPath === 'string' ? keyPath : ''
}
