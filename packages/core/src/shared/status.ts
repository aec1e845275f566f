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
  /** A full upload + download round has completed at least once since connect. */
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
