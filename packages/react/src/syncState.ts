import type { SyncStatus } from '@driftless/core'
import type { SyncMessages } from './messages.js'

/**
 * The one state the components show, most important first: `loading` until the stored state is read
 * (nothing is painted, so nothing wrong is), the reasons changes cannot sync, failed changes, then the
 * work in progress, and `synced` when nothing waits.
 */
export type SyncStatusState =
  | 'loading'
  | 'storage-full'
  | 'disconnected'
  | 'paused'
  | 'offline'
  | 'unreachable'
  | 'needs-auth'
  | 'failed'
  | 'syncing'
  | 'pending'
  | 'connecting'
  | 'synced'

/** The states in which changes wait on the device because sync cannot run. */
export type BlockedState = Extract<
  SyncStatusState,
  'disconnected' | 'paused' | 'offline' | 'unreachable' | 'needs-auth'
>

export function syncState(status: SyncStatus): SyncStatusState {
  if (!status.isLoaded) return 'loading'
  // A write just failed for lack of space: what the person must act on first, whatever else holds.
  if (status.storage.full) return 'storage-full'
  const { connection } = status
  if (connection !== 'connected' && connection !== 'connecting') return connection
  if (status.failedChanges > 0) return 'failed'
  // A round with nothing to upload after the first sync is not news: no spinner flashing every interval.
  if (status.isSyncing && (status.pendingChanges > 0 || !status.hasSynced)) return 'syncing'
  if (status.pendingChanges > 0) return 'pending'
  return connection === 'connecting' && !status.hasSynced ? 'connecting' : 'synced'
}

export function isBlocked(state: SyncStatusState): state is BlockedState {
  return (
    state === 'disconnected' ||
    state === 'paused' ||
    state === 'offline' ||
    state === 'unreachable' ||
    state === 'needs-auth'
  )
}

/** The headline of a state; `count` is how many changes wait (pending) or failed. */
export function headline(state: SyncStatusState, status: SyncStatus, text: SyncMessages): string {
  const pending = status.pendingChanges
  switch (state) {
    case 'loading':
      return ''
    case 'storage-full':
      return text.storageFull
    case 'disconnected':
      return text.disconnected(pending)
    case 'paused':
      return text.paused(pending)
    case 'offline':
      return text.offline(pending)
    case 'unreachable':
      return text.unreachable(pending)
    case 'needs-auth':
      return text.needsAuth(pending)
    case 'failed':
      return text.failed(status.failedChanges)
    case 'syncing':
      return text.syncing(pending)
    case 'pending':
      return text.pending(pending)
    case 'connecting':
      return text.connecting
    case 'synced':
      return text.synced
  }
}

/** "Trying again in 12 s." while a retry waits, "Trying again now…" while it runs; null otherwise. */
export function retryNote(status: SyncStatus, now: number, text: SyncMessages): string | null {
  if (status.connection !== 'unreachable' && status.connection !== 'needs-auth') return null
  if (status.isSyncing) return text.retryingNow
  if (status.nextRetryAt === null) return null
  return text.retryIn(Math.max(1, Math.ceil((status.nextRetryAt - now) / 1000)))
}
