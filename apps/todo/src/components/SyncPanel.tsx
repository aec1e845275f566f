import {
  RetryButton,
  SyncStatus,
  type SyncStatusState,
  shallowEqual,
  syncState,
  useSyncStatus,
} from '@driftless/react'

const pick = (status: Parameters<typeof syncState>[0]) => ({
  state: syncState(status) as SyncStatusState,
  pending: status.pendingChanges,
  failed: status.failedChanges,
  synced: status.hasSynced,
})

/** The Driftless status and retry UI; the data attributes are what the e2e tests read. */
export function SyncPanel() {
  const { state, pending, failed, synced } = useSyncStatus(pick, shallowEqual)
  return (
    <section
      className="sync"
      aria-label="Sync"
      data-testid="sync-panel"
      data-state={state}
      data-pending={state === 'loading' ? undefined : pending}
      data-failed={state === 'loading' ? undefined : failed}
      data-has-synced={synced}
    >
      <SyncStatus className="sync-status" />
      {/* While working offline the switch is the way back; a retry button would only say "paused". With the
          device out of space, "try again" means the person's own change, which syncing would not save. */}
      {state !== 'loading' && state !== 'paused' && state !== 'storage-full' && (
        <RetryButton className="retry" quietSuccess />
      )}
    </section>
  )
}
