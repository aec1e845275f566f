import { RetryButton, SyncStatus, useSyncStatus } from '@driftless/react'

/** The Driftless status and retry UI, plus plain counters the e2e tests read. */
export function SyncPanel() {
  const pending = useSyncStatus((status) => status.pendingChanges)
  const failed = useSyncStatus((status) => status.failedChanges)
  const error = useSyncStatus((status) => status.lastError)
  const connected = useSyncStatus((status) => status.isConnected)
  const synced = useSyncStatus((status) => status.hasSynced)

  return (
    <section
      className="sync"
      aria-label="Sync"
      data-testid="sync-panel"
      data-connected={connected}
      data-has-synced={synced}
    >
      <SyncStatus className="sync-status" />
      <span className="counter">
        <span data-testid="pending-count">{pending}</span> pending
      </span>
      {failed > 0 && (
        <span className="counter failed">
          <span data-testid="failed-count">{failed}</span> failed
        </span>
      )}
      <span data-testid="retry">
        <RetryButton className="retry" />
      </span>
      {error && (
        <p className="problem" data-testid="sync-error">
          {error}
        </p>
      )}
    </section>
  )
}
