import { type ConnectionState, connectionStates } from './connection.js'
import type { Logger } from './env.js'
import { Listeners } from './listeners.js'

/** What each kind of status field holds, and its value before anything is known. */
interface FieldKinds {
  flag: boolean
  count: number
  time: number | null
  message: string | null
  connection: ConnectionState
}
type FieldKind = keyof FieldKinds

const INITIAL_BY_KIND: { readonly [K in FieldKind]: FieldKinds[K] } = {
  flag: false,
  count: 0,
  time: null,
  message: null,
  connection: 'disconnected',
}

const IS_KIND: { readonly [K in FieldKind]: (value: unknown) => boolean } = {
  flag: (value) => typeof value === 'boolean',
  count: (value) => typeof value === 'number' && Number.isFinite(value),
  time: (value) => value === null || (typeof value === 'number' && Number.isFinite(value)),
  message: (value) => value === null || typeof value === 'string',
  connection: (value) => (connectionStates as readonly unknown[]).includes(value),
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
  return Object.freeze({
    ...status,
    isSyncing: status.isUploading || status.isDownloading,
    // A device without a network reaches no backend, whatever the last request said.
    isConnected: status.isConnected && status.isOnline,
  })
}
