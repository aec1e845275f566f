import { progressEquals, type TransferProgress } from './progress.js'
import { Subscribable } from './subscribable.js'

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
  /** While a pull pages through a backlog (more than one page): changes received of the total, if the server says it. */
  readonly downloadProgress: TransferProgress | null
  /** While the queue uploads: changes settled since the drain began, of those queued when it began (or more). */
  readonly uploadProgress: TransferProgress | null
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
  downloadProgress: null,
  uploadProgress: null,
})

const statusKeys = Object.keys(initialSyncStatus) as (keyof SyncStatus)[]

const progressKeys = new Set<keyof SyncStatus>(['downloadProgress', 'uploadProgress'])

export function statusEquals(a: SyncStatus, b: SyncStatus): boolean {
  return statusKeys.every((key) =>
    progressKeys.has(key)
      ? progressEquals(a[key] as TransferProgress | null, b[key] as TransferProgress | null)
      : Object.is(a[key], b[key]),
  )
}

/** Holds the current snapshot; listeners hear only real changes (no flicker from equal snapshots). */
export class SyncStatusStore extends Subscribable<(status: SyncStatus) => void> {
  private snapshot: SyncStatus

  constructor(initial: Partial<SyncStatus> = {}) {
    super()
    this.snapshot = normalize({ ...initialSyncStatus, ...initial }, null)
  }

  getSnapshot = (): SyncStatus => this.snapshot

  /** Merges `patch`; replaces the snapshot and notifies only if some field differs. */
  update(patch: Partial<SyncStatus>): SyncStatus {
    const next = normalize({ ...this.snapshot, ...patch }, this.snapshot)
    if (statusEquals(next, this.snapshot)) return this.snapshot
    this.snapshot = next
    for (const listener of this.listeners) listener(next)
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
  })
}
