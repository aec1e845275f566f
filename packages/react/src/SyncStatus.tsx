'use client'
import type { SyncStatus as SyncStatusSnapshot } from '@driftless/core'
import type { ComponentPropsWithoutRef, ReactNode } from 'react'
import { classNames } from './classNames.js'
import { isOffline } from './isOffline.js'
import { relativeTime } from './relativeTime.js'
import { shallowEqual } from './shallowEqual.js'
import { useMounted } from './useMounted.js'
import { useNow } from './useNow.js'
import { useSyncStatus } from './useSyncStatus.js'

export interface SyncStatusLabels {
  /** Beside the spinner while a round runs; visible but not announced, as rounds come every few seconds. */
  syncing: ReactNode
  offline: ReactNode
  pending: (count: number) => ReactNode
  failed: (count: number, lastError: string | null) => ReactNode
  /** An error with no failed change (an upload being retried, a failed pull). */
  error: (message: string) => ReactNode
  lastSynced: (time: string) => ReactNode
  neverSynced: ReactNode
  /** Formats `lastSyncedAt` for `lastSynced`; both are epoch ms. */
  formatTime: (at: number, now: number) => string
}

const changes = (count: number) => (count === 1 ? '1 change' : `${count} changes`)

export const defaultSyncStatusLabels: SyncStatusLabels = {
  syncing: 'Syncing…',
  offline: 'Offline',
  pending: (count) => `${changes(count)} pending`,
  failed: (count, lastError) => `${changes(count)} failed${lastError ? ` — ${lastError}` : ''}`,
  error: (message) => `Sync error — ${message}`,
  lastSynced: (time) => `Last synced ${time}`,
  neverSynced: 'Not synced yet',
  formatTime: (at, now) => relativeTime(at, now),
}

export type SyncStatusState = 'idle' | 'syncing' | 'pending' | 'error' | 'offline'

export interface SyncStatusProps extends ComponentPropsWithoutRef<'div'> {
  labels?: Partial<SyncStatusLabels>
  /** How often the "last synced" text is refreshed while mounted. */
  refreshIntervalMs?: number
}

const pick = (status: SyncStatusSnapshot) => ({
  offline: isOffline(status),
  isSyncing: status.isSyncing,
  pendingChanges: status.pendingChanges,
  failedChanges: status.failedChanges,
  lastError: status.lastError,
  lastSyncedAt: status.lastSyncedAt,
})

function stateOf(view: ReturnType<typeof pick>): SyncStatusState {
  if (view.isSyncing) return 'syncing'
  if (view.offline) return 'offline'
  if (view.failedChanges > 0 || view.lastError !== null) return 'error'
  return view.pendingChanges > 0 ? 'pending' : 'idle'
}

function messageParts(view: ReturnType<typeof pick>, text: SyncStatusLabels): ReactNode[] {
  const parts: [string, ReactNode][] = []
  if (view.offline) parts.push(['offline', text.offline])
  if (view.failedChanges > 0) parts.push(['failed', text.failed(view.failedChanges, view.lastError)])
  else if (view.lastError !== null) parts.push(['error', text.error(view.lastError)])
  if (view.pendingChanges > 0 && !view.isSyncing) parts.push(['pending', text.pending(view.pendingChanges)])
  // A space between parts so the region's text reads as separate phrases, styled or not.
  return parts.flatMap(([part, label], index) => [
    index > 0 ? ' ' : null,
    <span key={part} className={`driftless-sync-status__${part}`}>
      {label}
    </span>,
  ])
}

/**
 * Spinner, pending count, failed count with the last error, and when the last round finished. The counts and
 * errors sit in a polite `role="status"` region that is always rendered; the ticking time sits outside it.
 */
export function SyncStatus({ labels, refreshIntervalMs = 10_000, className, ...rest }: SyncStatusProps) {
  const view = useSyncStatus(pick, shallowEqual)
  const mounted = useMounted()
  const now = useNow(refreshIntervalMs, mounted && view.lastSyncedAt !== null)
  const text = { ...defaultSyncStatusLabels, ...labels }
  const state = stateOf(view)
  return (
    <div {...rest} className={classNames('driftless-sync-status', className)} data-state={state}>
      {view.isSyncing && (
        <span className="driftless-sync-status__spinner" aria-hidden="true">
          {text.syncing}
        </span>
      )}
      <span role="status" aria-live="polite" className="driftless-sync-status__message">
        {mounted && messageParts(view, text)}
      </span>
      {mounted && (
        <span className="driftless-sync-status__time">
          {view.lastSyncedAt === null ? (
            text.neverSynced
          ) : (
            <time dateTime={new Date(view.lastSyncedAt).toISOString()}>
              {text.lastSynced(text.formatTime(view.lastSyncedAt, now))}
            </time>
          )}
        </span>
      )}
    </div>
  )
}
