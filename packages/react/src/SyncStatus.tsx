'use client'
import type { SyncStatus as SyncStatusSnapshot } from '@driftless/core'
import type { ComponentPropsWithoutRef } from 'react'
import { classNames } from './classNames.js'
import { useSyncMessages } from './context.js'
import type { SyncMessages } from './messages.js'
import { headline, retryNote, type SyncStatusState, syncState } from './syncState.js'
import { useNow } from './useNow.js'
import { useSyncStatus } from './useSyncStatus.js'

export interface SyncStatusProps extends ComponentPropsWithoutRef<'div'> {
  labels?: Partial<SyncMessages>
  /** Shows the technical detail of a problem (`status.lastError`) behind a collapsed "Details". */
  showDetails?: boolean
}

const MINUTE = 60_000
const TECHNICAL_STATES: ReadonlySet<SyncStatusState> = new Set(['unreachable', 'needs-auth', 'failed'])

/**
 * One plain sentence for where sync stands ("All changes synced", "Can't reach the server. 3 changes are
 * saved on this device…"), a countdown to the next retry, when the last sync was, and the technical detail
 * folded away. `data-state` names the state. It is not a live region: the provider's announcer tells
 * screen readers about transitions, so a countdown or a retry round is never read out.
 */
export function SyncStatus({ labels, showDetails = true, className, ...rest }: SyncStatusProps) {
  const status = useSyncStatus()
  const text = useSyncMessages(labels)
  const state = syncState(status)
  const counting = status.nextRetryAt !== null && (state === 'unreachable' || state === 'needs-auth')
  // Ticks each second only while a countdown shows, else each 10 s for "last synced".
  const now = useNow(counting ? 1_000 : 10_000, counting || status.lastSyncedAt !== null)
  const retry = retryNote(status, now, text)
  const lastSynced = lastSyncedText(status, state, now, text)
  return (
    <div {...rest} className={classNames('driftless-sync-status', className)} data-state={state}>
      {state === 'syncing' && <span className="driftless-sync-status__spinner" aria-hidden="true" />}
      <span className="driftless-sync-status__message">{headline(state, status, text)}</span>
      {retry && <span className="driftless-sync-status__retry"> {retry}</span>}
      {lastSynced && (
        <span className="driftless-sync-status__time">
          {' '}
          <time dateTime={new Date(status.lastSyncedAt ?? 0).toISOString()}>{lastSynced}</time>
        </span>
      )}
      {showDetails && status.lastError && TECHNICAL_STATES.has(state) && (
        <details className="driftless-sync-status__details">
          <summary>{text.details}</summary>
          <code>{status.lastError}</code>
        </details>
      )}
    </div>
  )
}

/** "Last synced 5 minutes ago": only once a minute has passed, as "just now" says nothing a person needs. */
function lastSyncedText(
  status: SyncStatusSnapshot,
  state: SyncStatusState,
  now: number,
  text: SyncMessages,
): string | null {
  if (status.lastSyncedAt === null || state === 'loading' || state === 'syncing') return null
  if (now - status.lastSyncedAt < MINUTE) return null
  return text.lastSynced(text.formatTime(status.lastSyncedAt, now))
}
