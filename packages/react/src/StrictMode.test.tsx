import { render } from '@testing-library/react'
import { StrictMode } from 'react'
import { describe, expect, it, vi } from 'vitest'
import { OfflineBanner } from './OfflineBanner.js'
import { RetryButton } from './RetryButton.js'
import { SyncProvider } from './SyncProvider.js'
import { SyncStatus } from './SyncStatus.js'
import { FakeSyncClient } from './test/FakeSyncClient.js'
import { useFailedChanges, usePendingChanges } from './useChanges.js'
import { useSync } from './useSync.js'
import { useSyncStatus } from './useSyncStatus.js'

function Everything() {
  useSync()
  useSyncStatus((s) => s.pendingChanges)
  usePendingChanges()
  useFailedChanges()
  return (
    <>
      <OfflineBanner />
      <SyncStatus />
      <RetryButton />
    </>
  )
}

describe('under StrictMode', () => {
  it('mounting and unmounting twice leaves no subscription, watcher or timer and never syncs', () => {
    vi.useFakeTimers()
    try {
      const client = new FakeSyncClient({ lastSyncedAt: Date.now() })
      const getSnapshot = vi.spyOn(client, 'getSnapshot')
      for (let round = 0; round < 2; round++) {
        const { unmount } = render(
          <StrictMode>
            <SyncProvider client={client}>
              <Everything />
            </SyncProvider>
          </StrictMode>,
        )
        expect(client.activeSubscriptions).toBeGreaterThan(0)
        expect(client.activeWatchers).toBe(2)
        unmount()
        expect(client.activeSubscriptions).toBe(0)
        expect(client.activeWatchers).toBe(0)
        expect(vi.getTimerCount()).toBe(0)
      }
      expect(client.calls.sync).toBe(0)
      expect(getSnapshot).toHaveBeenCalled()
    } finally {
      vi.useRealTimers()
    }
  })
})
