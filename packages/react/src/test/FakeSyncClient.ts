import type {
  BackfillResult,
  ChangeStatus,
  CrudBatch,
  CrudTransaction,
  OutboxEntry,
  SyncClient,
  SyncEventListener,
  SyncStatus,
} from '@driftless/core'
import { SyncStatusStore } from '@driftless/core/internal'
import type Dexie from 'dexie'

type Filter = { status?: ChangeStatus | readonly ChangeStatus[] }

function matches(entry: OutboxEntry, filter: Filter): boolean {
  if (filter.status === undefined) return true
  const statuses: readonly ChangeStatus[] =
    typeof filter.status === 'string' ? [filter.status] : filter.status
  return statuses.includes(entry.status)
}

let nextSeq = 1

export function entry(patch: Partial<OutboxEntry> = {}): OutboxEntry {
  const seq = nextSeq++
  return {
    seq,
    id: `change-${seq}`,
    txId: `tx-${seq}`,
    collection: 'todos',
    recordId: `todo-${seq}`,
    type: 'update',
    data: { title: `todo ${seq}` },
    prevData: null,
    timestamp: 1_000 + seq,
    status: 'pending',
    retries: 0,
    errorMessage: null,
    ...patch,
  }
}

/** A SyncClient for React tests: core's real status store and an in-memory outbox, no engine. */
export class FakeSyncClient implements SyncClient {
  readonly store: SyncStatusStore
  readonly calls = {
    sync: 0,
    retryFailed: [] as (readonly string[] | undefined)[],
    discardFailed: [] as (readonly string[] | undefined)[],
  }
  activeSubscriptions = 0
  activeWatchers = 0
  private entries: OutboxEntry[] = []
  private readonly watchers = new Set<{ filter: Filter; listener: (entries: OutboxEntry[]) => void }>()
  private syncResolvers: { resolve(): void; reject(error: unknown): void }[] = []

  constructor(status: Partial<SyncStatus> = {}, entries: OutboxEntry[] = []) {
    this.store = new SyncStatusStore({
      isConnected: true,
      connection: 'connected',
      isLoaded: true,
      ...status,
    })
    this.entries = entries
  }

  get db(): Dexie {
    throw new Error('The React package must not reach for the database')
  }

  getSnapshot(): SyncStatus {
    return this.store.getSnapshot()
  }

  subscribe(listener: (status: SyncStatus) => void): () => void {
    this.activeSubscriptions++
    const unsubscribe = this.store.subscribe(listener)
    let active = true
    return () => {
      if (!active) return
      active = false
      this.activeSubscriptions--
      unsubscribe()
    }
  }

  onSync(_listener: SyncEventListener): () => void {
    return () => {}
  }

  /** Pending until `finishSync()`, so tests can look at the UI mid-round. */
  sync(): Promise<void> {
    this.calls.sync++
    this.store.update({ isUploading: true })
    return new Promise((resolve, reject) => this.syncResolvers.push({ resolve, reject }))
  }

  /** Ends the pending rounds with an error, as a failed round does. */
  failSync(error: Error): void {
    this.store.update({ isUploading: false, lastError: error.message })
    for (const round of this.syncResolvers.splice(0)) round.reject(error)
  }

  finishSync(): void {
    this.store.update({ isUploading: false, lastSyncedAt: Date.now(), hasSynced: true })
    for (const round of this.syncResolvers.splice(0)) round.resolve()
  }

  async listChanges(filter: Filter = {}): Promise<OutboxEntry[]> {
    return this.entries.filter((e) => matches(e, filter))
  }

  watchChanges(filter: Filter, listener: (entries: OutboxEntry[]) => void): () => void {
    const watcher = { filter, listener }
    this.watchers.add(watcher)
    this.activeWatchers++
    listener(this.entries.filter((e) => matches(e, filter)))
    return () => {
      if (this.watchers.delete(watcher)) this.activeWatchers--
    }
  }

  /** Replaces the outbox and tells every watcher, as the real client does after a write. */
  setChanges(entries: OutboxEntry[]): void {
    this.entries = entries
    this.store.update({
      pendingChanges: entries.filter((e) => e.status !== 'failed').length,
      failedChanges: entries.filter((e) => e.status === 'failed').length,
    })
    for (const { filter, listener } of this.watchers) listener(this.entries.filter((e) => matches(e, filter)))
  }

  async retryFailed(ids?: readonly string[]): Promise<number> {
    this.calls.retryFailed.push(ids)
    const hit = this.entries.filter((e) => e.status === 'failed' && (!ids || ids.includes(e.id)))
    this.setChanges(this.entries.map((e) => (hit.includes(e) ? { ...e, status: 'pending', retries: 0 } : e)))
    return hit.length
  }

  async discardFailed(ids?: readonly string[]): Promise<number> {
    this.calls.discardFailed.push(ids)
    const hit = this.entries.filter((e) => e.status === 'failed' && (!ids || ids.includes(e.id)))
    this.setChanges(this.entries.filter((e) => !hit.includes(e)))
    return hit.length
  }

  async backfill(): Promise<BackfillResult> {
    return { queued: 0, tables: {}, invalid: [] }
  }

  async close(): Promise<void> {}

  async connect(): Promise<void> {
    this.store.update({ isConnected: true })
  }

  async pause(): Promise<void> {
    this.store.update({ isPaused: true, connection: 'paused' })
  }

  async resume(): Promise<void> {
    this.store.update({ isPaused: false, connection: 'connected' })
  }

  async disconnect(): Promise<void> {
    this.store.update({ isConnected: false })
  }

  async getCrudBatch(): Promise<CrudBatch | null> {
    return null
  }

  async getNextCrudTransaction(): Promise<CrudTransaction | null> {
    return null
  }
}
