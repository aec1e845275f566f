import type { Dexie } from 'dexie'
import { liveQuery } from 'dexie'
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
import { HybridClock } from '../shared/clock.js'
import { defaultEnvironment, type SyncEnvironment } from '../shared/env.js'
import { CredentialsError, DriftlessError, errorMessage, TransportError } from '../shared/errors.js'
import { type SyncEvent, SyncEventEmitter, type SyncEventListener } from '../shared/events.js'
import { type SyncStatus, SyncStatusStore } from '../shared/status.js'
import { type EngineContext, outboxHighWater, writeKnownVersion } from '../sync/engine.js'
import { PullLoop } from '../sync/pullLoop.js'
import { UploadLoop } from '../sync/uploadLoop.js'
import { LeaderElection } from '../tabs/leader.js'
import { LeaderSyncError, TabChannel } from '../tabs/tabChannel.js'
import { HttpTransport } from '../transport/http.js'
import type { Transport, TransportContext } from '../transport/types.js'
import type { SyncClient } from './client.js'
import type { SyncConnector, UploadClient } from './connector.js'
import { CredentialCache } from './credentials.js'
import { type EngineOptionsInput, resolveEngineOptions } from './options.js'
import { SyncScheduler } from './scheduler.js'

export interface SyncClientOptions extends EngineOptionsInput {
  /** The synced tables of `db`, each optionally with a Standard Schema (zod, valibot, arktype…) every write must pass. */
  tables: SyncedTables
  /** How changes travel; defaults to an HttpTransport whose base URL is the credentials' endpoint. */
  transport?: Transport
  /** Tabs with the same name share one leader; defaults to the database name. */
  name?: string
  /** Clocks, timers, fetch, online events, BroadcastChannel and Web Locks; tests pass their own. */
  env?: SyncEnvironment
}

const CLOCK_KEY = 'clock'
/** Status fields the leader owns and broadcasts; every tab computes the rest itself. */
const LEADER_FIELDS = [
  'isConnected',
  'isConnecting',
  'isUploading',
  'isDownloading',
  'hasSynced',
  'lastSyncedAt',
  'lastError',
  'uploadError',
  'downloadError',
] as const satisfies readonly (keyof SyncStatus)[]

const RETRYABLE_FORWARD = new Set(['NO_LEADER', 'LEADER_CHANGED'])

export class NotConnectedError extends DriftlessError {
  constructor() {
    super('NOT_CONNECTED', 'Sync is not connected: call connect() before sync().')
  }
}

/**
 * Sets `db` up for sync: call it after `db.version(...).stores(...)` and before the first query.
 * Writes are captured from then on; `connect()` starts the upload and pull loops.
 */
export function createSyncClient(db: Dexie, options: SyncClientOptions): SyncClient {
  return new DriftlessClient(db, options)
}

class DriftlessClient implements SyncClient {
  readonly db: Dexie
  private readonly env: SyncEnvironment
  private readonly options: ReturnType<typeof resolveEngineOptions>
  private readonly outbox: Outbox
  private readonly clock: HybridClock
  private readonly status: SyncStatusStore
  private readonly events: SyncEventEmitter
  private readonly transport: Transport
  private readonly leader: LeaderElection
  private readonly channel: TabChannel
  private readonly scheduler: SyncScheduler
  private readonly uploads: UploadLoop
  private readonly pulls: PullLoop
  private readonly context: EngineContext
  private readonly cleanups: (() => void)[] = []
  private connector: SyncConnector | null = null
  private connected = false
  private credentials: CredentialCache | null = null
  private lastSeq = 0
  private closed = false
  private starting: Promise<void> | null = null
  private readonly ready: Promise<void>

  constructor(db: Dexie, options: SyncClientOptions) {
    const { tables, transport, name, env, ...engineOptions } = options
    this.db = db
    this.env = env ?? defaultEnvironment()
    this.options = resolveEngineOptions(engineOptions)
    this.clock = new HybridClock(this.env)
    this.outbox = attachOutbox(db, { tables, timestamp: () => this.clock.now() })
    this.status = new SyncStatusStore({ isOnline: this.env.isOnline() })
    this.events = new SyncEventEmitter(this.env)
    this.transport = transport ?? new HttpTransport({ env: this.env })
    const context: EngineContext = {
      db,
      outbox: this.outbox,
      env: this.env,
      options: this.options,
      clock: this.clock,
      tables: new Map(Object.keys(tables).map((table) => [table, primaryKeyPath(db, table)])),
      emit: (event) => this.emit(event),
      withTransport: (call) => this.withTransport(call),
    }
    this.context = context
    this.uploads = new UploadLoop(context)
    this.pulls = new PullLoop(context)
    const autoSync = this.options.autoSync
    this.scheduler = new SyncScheduler((signal) => this.runRound(signal), this.env, {
      debounceMs: autoSync === false ? 0 : autoSync.debounceMs,
      throttleMs: this.options.uploadThrottleMs,
      intervalMs: autoSync === false ? null : autoSync.intervalMs,
      retryDelayMs: this.options.retryDelayMs,
      maxRetryDelayMs: this.options.maxRetryDelayMs,
    })
    const tabName = name ?? db.name
    this.leader = new LeaderElection(tabName, this.env)
    this.channel = new TabChannel(tabName, this.env)
    this.ready = this.restoreClock()
    this.start()
  }

  getSnapshot = (): SyncStatus => this.status.getSnapshot()
  subscribe = (listener: (status: SyncStatus) => void): (() => void) => this.status.subscribe(listener)
  onSync = (listener: SyncEventListener): (() => void) => this.events.on(listener)

  async connect(connector: SyncConnector = {}): Promise<void> {
    this.assertOpen()
    if (this.connected) await this.disconnect()
    this.connector = connector
    this.credentials = connector.fetchCredentials
      ? new CredentialCache(() => connector.fetchCredentials!(), this.env)
      : null
    this.connected = true
    if (this.leader.isLeader) await this.startLeading()
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return
    this.connected = false
    this.scheduler.stop(new NotConnectedError())
    this.credentials = null
    this.connector = null
    this.updateLeaderStatus({
      isConnected: false,
      isConnecting: false,
      isUploading: false,
      isDownloading: false,
    })
  }

  async sync(): Promise<void> {
    this.assertOpen()
    if (!this.leader.isLeader) return this.forwardSync()
    if (!this.connected) throw new NotConnectedError()
    // Just elected (e.g. a forwarded sync() retried after a takeover): the loops may still be starting.
    if (!this.scheduler.isActive) await this.startLeading()
    return this.scheduler.requestRound()
  }

  /** A follower asks the leader tab; a request lost in a takeover is sent once more. */
  private async forwardSync(): Promise<void> {
    try {
      await this.channel.requestSync()
    } catch (error) {
      if (!(error instanceof LeaderSyncError && RETRYABLE_FORWARD.has(error.code))) throw error
      if (this.leader.isLeader) return this.sync()
      await this.channel.requestSync()
    }
  }

  async getCrudBatch(limit?: number): Promise<CrudBatch | null> {
    const batch = await this.outbox.getCrudBatch(limit)
    return batch && { ...batch, complete: () => this.completeUploaded(batch) }
  }

  async getNextCrudTransaction(): Promise<CrudTransaction | null> {
    const transaction = await this.outbox.getNextCrudTransaction()
    return transaction && { ...transaction, complete: () => this.completeUploaded(transaction) }
  }

  /** The backend has these changes now: their echoes in a later pull are ours, never conflicts. */
  private completeUploaded(uploaded: CrudBatch | CrudTransaction): Promise<void> {
    const ctx = this.context
    return this.db.transaction('rw', [OUTBOX_TABLE, META_TABLE], async () => {
      const seenAtSeq = await outboxHighWater(ctx)
      await uploaded.complete()
      for (const entry of uploaded.crud) {
        await writeKnownVersion(ctx, entry.collection, entry.recordId, {
          timestamp: entry.timestamp,
          changeId: entry.id,
          seenAtSeq,
        })
      }
    })
  }

  listChanges(filter?: { status?: ChangeStatus | readonly ChangeStatus[] }): Promise<OutboxEntry[]> {
    return this.outbox.list(filter)
  }

  watchChanges(
    filter: { status?: ChangeStatus | readonly ChangeStatus[] },
    listener: (entries: OutboxEntry[]) => void,
  ): () => void {
    const subscription = liveQuery(() => this.outbox.list(filter)).subscribe({
      next: listener,
      error: (error: unknown) => this.env.logger.error('Driftless: watching the outbox failed', error),
    })
    return () => subscription.unsubscribe()
  }

  async retryFailed(ids?: readonly string[]): Promise<number> {
    const count = await this.outbox.retryFailed(ids)
    if (count > 0) this.scheduler.notifyWrite()
    return count
  }

  discardFailed(ids?: readonly string[]): Promise<number> {
    return this.outbox.discardFailed(ids)
  }

  async close(): Promise<void> {
    if (this.closed) return
    await this.disconnect()
    this.closed = true
    for (const cleanup of this.cleanups.splice(0)) cleanup()
    this.leader.stop()
    this.channel.close()
  }

  private start(): void {
    this.cleanups.push(
      this.env.onOnlineChange((online) => {
        this.status.update({ isOnline: online })
        if (online && this.connected && this.leader.isLeader) this.scheduler.requestRound().catch(() => {})
      }),
    )
    const stats = liveQuery(async () => ({
      stats: await this.outbox.stats(),
      lastSeq: ((await this.db.table(OUTBOX_TABLE).toCollection().lastKey()) as number | undefined) ?? 0,
    })).subscribe({
      next: ({ stats, lastSeq }) => {
        this.status.update({ pendingChanges: stats.pending + stats.syncing, failedChanges: stats.failed })
        // Only new entries are local writes; the engine's own updates to the queue must not trigger rounds.
        if (lastSeq > this.lastSeq) {
          this.lastSeq = lastSeq
          if (stats.pending > 0) this.scheduler.notifyWrite()
        }
      },
      error: (error: unknown) => this.env.logger.error('Driftless: watching the outbox failed', error),
    })
    this.cleanups.push(() => stats.unsubscribe())
    this.cleanups.push(
      this.channel.onStatus((status) => {
        if (this.leader.isLeader) return
        const patch: Partial<Record<keyof SyncStatus, unknown>> = {}
        for (const key of LEADER_FIELDS) patch[key] = status[key]
        this.status.update(patch as Partial<SyncStatus>)
      }),
    )
    this.channel.onSyncRequest(() => this.sync())
    this.cleanups.push(
      this.leader.subscribe((isLeader) => {
        this.status.update({ isLeader })
        this.channel.setLeader(isLeader)
        if (isLeader) {
          this.startLeading().catch((error: unknown) => this.reportError('push', error))
        } else {
          this.scheduler.stop(new DriftlessError('NOT_LEADER', 'Another tab took over syncing.'))
        }
      }),
    )
    this.leader.start()
  }

  /** Starts the loops in this tab; concurrent callers share one start. */
  private startLeading(): Promise<void> {
    if (!this.starting) {
      this.starting = this.beginLeading().finally(() => {
        this.starting = null
      })
    }
    return this.starting
  }

  private async beginLeading(): Promise<void> {
    await this.ready
    // Only the leader uploads, so anything left `syncing` was in flight in a tab that is gone.
    await this.outbox.init()
    this.status.update({ isLeader: true })
    this.channel.publishStatus(this.status.getSnapshot())
    if (this.connected && !this.scheduler.isActive) {
      this.updateLeaderStatus({ isConnecting: true })
      this.scheduler.start()
    }
  }

  private async runRound(signal: AbortSignal): Promise<number | null> {
    let drained: Awaited<ReturnType<UploadLoop['drain']>>
    try {
      drained = await this.uploads.drain(this.connector, this as UploadClient, signal, () =>
        this.updateLeaderStatus({ isUploading: true }),
      )
    } catch (error) {
      if (!signal.aborted) {
        this.updateLeaderStatus({ uploadError: errorMessage(error), lastError: errorMessage(error) })
        this.reportError(error instanceof CredentialsError ? 'credentials' : 'push', error)
      }
      throw error
    } finally {
      this.updateLeaderStatus({ isUploading: false })
    }
    this.updateLeaderStatus({ uploadError: drained.rejection, isDownloading: true })
    let pulled: number
    try {
      pulled = await this.pulls.pullAll(signal)
    } catch (error) {
      if (!signal.aborted) {
        this.updateLeaderStatus({ downloadError: errorMessage(error), lastError: errorMessage(error) })
        this.reportError(error instanceof CredentialsError ? 'credentials' : 'pull', error)
      }
      throw error
    } finally {
      this.updateLeaderStatus({ isDownloading: false })
    }
    await this.outbox.setMeta(CLOCK_KEY, this.clock.toJSON())
    const now = this.env.now()
    this.updateLeaderStatus({
      hasSynced: true,
      lastSyncedAt: now,
      downloadError: null,
      lastError:
        drained.rejection ??
        (this.status.getSnapshot().failedChanges > 0 ? this.status.getSnapshot().lastError : null),
    })
    this.emit({ phase: 'complete', at: now, pushed: drained.uploaded, pulled })
    return drained.retryAt
  }

  /** Calls the transport with current credentials; a 401 drops them and tries once more with fresh ones. */
  private async withTransport<T>(
    call: (transport: Transport, context: TransportContext) => Promise<T>,
  ): Promise<T> {
    let token: string | undefined
    const attempt = async () => {
      const credentials = this.credentials ? await this.credentials.get() : undefined
      token = credentials?.token
      return call(this.transport, credentials ? { credentials } : {})
    }
    try {
      let result: T
      try {
        result = await attempt()
      } catch (error) {
        if (!(error instanceof TransportError && error.status === 401 && this.credentials)) throw error
        this.credentials.invalidate(token)
        result = await attempt()
      }
      this.updateLeaderStatus({ isConnected: true, isConnecting: false })
      return result
    } catch (error) {
      // Fresh credentials were refused too: drop them, so the next attempt fetches again first.
      if (error instanceof TransportError && error.status === 401) this.credentials?.invalidate(token)
      if (
        error instanceof TransportError &&
        (error.status === 0 || error.status >= 500 || error.status === 401)
      ) {
        this.updateLeaderStatus({ isConnected: false, isConnecting: false })
      }
      if (error instanceof CredentialsError)
        this.updateLeaderStatus({ isConnected: false, isConnecting: false })
      throw error
    }
  }

  private updateLeaderStatus(patch: Partial<SyncStatus>): void {
    const before = this.status.getSnapshot()
    const after = this.status.update(patch)
    if (after !== before && this.leader.isLeader) this.channel.publishStatus(after)
  }

  private emit(event: SyncEvent): void {
    this.events.emit(event)
  }

  private reportError(stage: 'push' | 'pull' | 'credentials', error: unknown): void {
    const wrapped = error instanceof Error ? error : new Error(errorMessage(error))
    this.emit({ phase: 'error', at: this.env.now(), stage, error: wrapped })
  }

  private async restoreClock(): Promise<void> {
    const saved = await this.outbox.getMeta(CLOCK_KEY)
    this.clock.merge(saved)
  }

  private assertOpen(): void {
    if (this.closed) throw new DriftlessError('CLOSED', 'This sync client was closed; create a new one.')
  }
}

function primaryKeyPath(db: Dexie, table: string): string {
  const keyPath = db.table(table).schema.primKey.keyPath
  return typeof keyPath === 'string' ? keyPath : ''
}
