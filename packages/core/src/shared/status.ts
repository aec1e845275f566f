import { type ConnectionState, connectionStates } from './connection.js'
import type { Logger } from './env.js'
import { Listeners } from './listeners.js'
import { progressEquals, type TransferProgress } from './progress.js'

/** This site's storage as the browser reports it. */
export interface StorageState {
  /** `navigator.storage.persist()` was granted: the browser will not evict the data under pressure. */
  readonly persisted: boolean
  /** Bytes used and available to this site (`navigator.storage.estimate()`), null where unknown. */
  readonly usage: number | null
  readonly quota: number | null
  /** The last write was refused because storage is full (`StorageFullError`); cleared by the next write that commits. */
  readonly full: boolean
}

export function storageEquals(a: StorageState, b: StorageState): boolean {
  return (
    a === b ||
    (a.persisted === b.persisted && a.usage === b.usage && a.quota === b.quota && a.full === b.full)
  )
}

/** What each kind of status field holds, and its value before anything is known. */
interface FieldKinds {
  flag: boolean
  count: number
  time: number | null
  message: string | null
  connection: ConnectionState
  progress: TransferProgress | null
  storage: StorageState
}
type FieldKind = keyof FieldKinds

const INITIAL_BY_KIND: { readonly [K in FieldKind]: FieldKinds[K] } = {
  flag: false,
  count: 0,
  time: null,
  message: null,
  connection: 'disconnected',
  progress: null,
  storage: Object.freeze({ persisted: false, usage: null, quota: null, full: false }),
}

const IS_KIND: { readonly [K in FieldKind]: (value: unknown) => boolean } = {
  flag: (value) => typeof value === 'boolean',
  count: (value) => typeof value === 'number' && Number.isFinite(value),
  time: (value) => value === null || (typeof value === 'number' && Number.isFinite(value)),
  message: (value) => value === null || typeof value === 'string',
  connection: (value) => (connectionStates as readonly unknown[]).includes(value),
  progress: (value) => {
    if (value === null) return true
    if (typeof value !== 'object') return false
    const { done, total } = value as Record<string, unknown>
    return Number.isFinite(done) && (total === null || Number.isFinite(total))
  },
  storage: (value) => {
    if (typeof value !== 'object' || value === null) return false
    const { persisted, usage, quota, full } = value as Record<string, unknown>
    const bytes = (n: unknown) => n === null || Number.isFinite(n)
    return typeof persisted === 'boolean' && bytes(usage) && bytes(quota) && typeof full === 'boolean'
  },
}

/** The one list of status fields: the type, the initial value and the check of a status from another tab derive from it. */
const STATUS_FIELDS = {
  /** The browser reports a network connection. */
  isOnline: 'flag',
  /** `connect()` was called and the backend is reachable with valid credentials; always false while offline. */
  isConnected: 'flag',
  isConnecting: 'flag',
  /** `isUploading || isDownloading`. */
  isSyncing: 'flag',
  isUploading: 'flag',
  isDownloading: 'flag',
  /** A full upload + download round has completed at least once with this database (kept across reloads). */
  hasSynced: 'flag',
  /** Epoch milliseconds of the last completed round, or null. */
  lastSyncedAt: 'time',
  /** Outbox entries waiting or in flight (`pending` + `syncing`). */
  pendingChanges: 'count',
  /** Outbox entries that exhausted their retries and wait for the app to retry or discard them. */
  failedChanges: 'count',
  /** The most recent error message from any part of sync, cleared by the next successful round. */
  lastError: 'message',
  uploadError: 'message',
  downloadError: 'message',
  /** This client runs the loops (leader tab), rather than following another tab. */
  isLeader: 'flag',
  /**
   * Where sync stands with the backend, for people: a problem (`offline`, `unreachable`, `needs-auth`)
   * appears only after a grace period, recovery at once. See `ConnectionState`.
   */
  connection: 'connection',
  /** Sync is paused (`pause()`) for every tab of this database, also after a reload, until `resume()`. */
  isPaused: 'flag',
  /** Epoch milliseconds of the next automatic retry after a failed round, or null when none is waiting. */
  nextRetryAt: 'time',
  /**
   * The stored state (queue counts, last sync, pause) has been read. Before that the counts are not known
   * yet, so UI that shows them should wait rather than paint a wrong "0 pending".
   */
  isLoaded: 'flag',
  /** While a pull pages through a backlog (more than one page): changes received of the total, if the server says it. */
  downloadProgress: 'progress',
  /** While the queue uploads: changes settled since the drain began, of those queued when it began (or more). */
  uploadProgress: 'progress',
  /** Whether the browser keeps this site's data under storage pressure, how much it uses, and whether a write was refused for lack of space. */
  storage: 'storage',
} as const satisfies Record<string, FieldKind>

/** One immutable snapshot of the sync state; a new object only when a field changed. */
export type SyncStatus = { readonly [K in keyof typeof STATUS_FIELDS]: FieldKinds[(typeof STATUS_FIELDS)[K]] }

const statusKeys = Object.keys(STATUS_FIELDS) as (keyof SyncStatus)[]

export const initialSyncStatus: SyncStatus = Object.freeze({
  ...(Object.fromEntries(statusKeys.map((key) => [key, INITIAL_BY_KIND[STATUS_FIELDS[key]]])) as SyncStatus),
  isOnline: true,
})

/** Whether `value` has every status field, each of the right kind (a status heard from another tab). */
export function isSyncStatus(value: unknown): value is SyncStatus {
  if (typeof value !== 'object' || value === null) return false
  const fields = value as Record<string, unknown>
  return statusKeys.every((key) => IS_KIND[STATUS_FIELDS[key]](fields[key]))
}

export function statusEquals(a: SyncStatus, b: SyncStatus): boolean {
  return statusKeys.every((key) => {
    const kind = STATUS_FIELDS[key]
    if (kind === 'progress')
      return progressEquals(a[key] as TransferProgress | null, b[key] as TransferProgress | null)
    if (kind === 'storage') return storageEquals(a[key] as StorageState, b[key] as StorageState)
    return Object.is(a[key], b[key])
  })
}

/** Holds the current snapshot; listeners hear only real changes (no flicker from equal snapshots). */
export class SyncStatusStore {
  #snapshot: SyncStatus
  readonly #listeners: Listeners<SyncStatus>

  constructor(initial: Partial<SyncStatus> = {}, logger: Pick<Logger, 'error'> = console) {
    this.#snapshot = normalize({ ...initialSyncStatus, ...initial }, null)
    this.#listeners = new Listeners(logger, 'a status listener')
  }

  getSnapshot = (): SyncStatus => this.#snapshot

  /** Hears every new snapshot; returns the unsubscribe function. */
  subscribe = (listener: (status: SyncStatus) => void): (() => void) => this.#listeners.add(listener)

  /** Merges `patch`; replaces the snapshot and notifies only if some field differs. */
  update(patch: Partial<SyncStatus>): SyncStatus {
    const next = normalize({ ...this.#snapshot, ...patch }, this.#snapshot)
    if (statusEquals(next, this.#snapshot)) return this.#snapshot
    this.#snapshot = next
    this.#listeners.notify(next)
    return next
  }
}

function normalize(status: SyncStatus, previous: SyncStatus | null): SyncStatus {
  // The same progress object while its value holds, so a selector of it sees no change.
  const same = (key: 'downloadProgress' | 'uploadProgress') =>
    previous && progressEquals(status[key], previous[key]) ? previous[key] : status[key]
  return Object.freeze({
    ...status,
    isSyncing: status.isUploading || status.isDownloading,
    downloadProgress: same('downloadProgress'),
    uploadProgress: same('uploadProgress'),
    storage: previous && storageEquals(status.storage, previous.storage) ? previous.storage : status.storage,
    // A device without a network reaches no backend, whatever the last request said.
    isConnected: status.isConnected && status.isOnline,
  })
}
