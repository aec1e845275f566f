import type { Dexie } from 'dexie'
import type { ChangeStatus, OutboxEntry } from '../capture/outbox.js'
import type { SyncEventListener } from '../shared/events.js'
import type { SyncStatus } from '../shared/status.js'
import type { SyncConnector, UploadClient } from './connector.js'

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
   * Starts syncing with the app's backend: uploads and pulls run while connected (in the leader tab).
   * Without a connector, the transport is used as configured (its own url and headers).
   */
  connect(connector?: SyncConnector): Promise<void>
  /** Stops syncing; local writes keep queuing and go out on the next connect(). */
  disconnect(): Promise<void>
  /** Stops the loops and releases the tab's leadership; the database stays open for the app. */
  close(): Promise<void>
}
