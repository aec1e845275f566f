import type { ConnectionState } from './connection.js'
import type { Logger } from './env.js'
import { Listeners } from './listeners.js'

/** One immutable snapshot of the sync state; a new object only when a field changed. */
export interface SyncStatus {
  /** The browser reports a network connection. */
  readonly isOnline: boolean
  /** `connect()` was called and the backend is reachable with valid credentials. */
  readonly isConnected: boolean
  readonly isConnecting: boolean
  /** `isUploading || isDownloading`. */
  readonly isSyncing: boolean
  readonly isUploading: boolean
  readonly isDownloading: boolean
  /** A full upload + download round has completed at least once with this database (kept across reloads). */
  readonly hasSynced: boolean
  /** Epoch milliseconds of the last completed round, or null. */
  readonly lastSyncedAt: number | null
  /** Outbox entries waiting or in flight (`pending` + `syncing`). */
  readonly pendingChanges: number
  /** Outbox entries that exhausted their retries and wait for the app to retry or discard them. */
  readonly failedChanges: number
  /** The most recent error message from any part of sync, cleared by the next successful round. */
  readonly lastError: string | null
  readonly uploadError: string | null
  readonly downloadError: string | null
  /** This client runs the loops (leader tab), rather than following another tab. */
  readonly isLeader: boolean
  /**
   * Where sync stands with the backend, for people: a problem (`offline`, `unreachable`, `needs-auth`)
   * appears only after a grace period, recovery at once. See `ConnectionState`.
   */
  readonly connection: ConnectionState
  /** Sync is paused (`pause()`) for every tab of this database, also after a reload, until `resume()`. */
  readonly isPaused: boolean
  /** Epoch milliseconds of the next automatic retry after a failed round, or null when none is waiting. */
  readonly nextRetryAt: number | null
  /**
   * The stored state (queue counts, last sync, pause) has been read. Before that the counts are not known
   * yet, so UI that shows them should wait rather than paint a wrong "0 pending".
   */
  readonly isLoaded: boolean
}

export const initialSyncStatus: SyncStatus = Object.freeze({
  isOnline: true,
  isConnected: false,
  isConnecting: false,
  isSyncing: false,
  isUploading: false,
  isDownloading: false,
  hasSynced: false,
  lastSyncedAt: null,
  pendingChanges: 0,
  failedChanges: 0,
  lastError: null,
  uploadError: null,
  downloadError: null,
  isLeader: false,
  connection: 'disconnected',
  isPaused: false,
  nextRetryAt: null,
  isLoaded: false,
})

const statusKeys = Object.keys(initialSyncStatus) as (keyof SyncStatus)[]

export function statusEquals(a: SyncStatus, b: SyncStatus): boolean {
  return statusKeys.every((key) => Object.is(a[key], b[key]))
}

/** Holds the current snapshot; listeners hear only real changes (no flicker from equal snapshots). */
export class SyncStatusStore {
  private snapshot: SyncStatus
  private readonly listeners: Listeners<SyncStatus>

  constructor(initial: Partial<SyncStatus> = {}, logger: Pick<Logger, 'error'> = console) {
    this.snapshot = normalize({ ...initialSyncStatus, ...initial })
    this.listeners = new Listeners(logger, 'a status listener')
  }

  getSnapshot = (): SyncStatus => this.snapshot

  /** Hears every new snapshot; returns the unsubscribe function. */
  subscribe = (listener: (status: SyncStatus) => void): (() => void) => this.listeners.add(listener)

  /** Merges `patch`; replaces the snapshot and notifies only if some field differs. */
  update(patch: Partial<SyncStatus>): SyncStatus {
    const next = normalize({ ...this.snapshot, ...patch })
    if (statusEquals(next, this.snapshot)) return this.snapshot
    this.snapshot = next
    this.listeners.notify(next)
    return next
  }
}

function normalize(status: SyncStatus): SyncStatus {
  return Object.freeze({ ...status, isSyncing: status.isUploading || status.isDownloading })
}
