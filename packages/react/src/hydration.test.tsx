import { act } from '@testing-library/react'
import { hydrateRoot } from 'react-dom/client'
import { renderToString } from 'react-dom/server'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { OfflineBanner } from './OfflineBanner.js'
import { RetryButton } from './RetryButton.js'
import { SyncProvider } from './SyncProvider.js'
import { SyncStatus } from './SyncStatus.js'
import { FakeSyncClient } from './test/FakeSyncClient.js'

function App({ client }: { client: FakeSyncClient }) {
  return (
    <SyncProvider client={client}>
      <OfflineBanner />
      <SyncStatus />
      <RetryButton />
    </SyncProvider>
  )
}

afterEach(() => {
  vi.restoreAllMocks()
  document.body.innerHTML = ''
})

describe('hydration', () => {
  it('hydrates server HTML without a mismatch, then shows the browser’s real status', async () => {
    const html = renderToString(<App client={new FakeSyncClient()} />)
    const container = document.createElement('div')
    container.innerHTML = html
    document.body.append(container)
    const serverRegion = container.querySelector('.driftless-offline-banner')
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    const recoverable = vi.fn()
    const client = new FakeSyncClient({
      isOnline: false,
      isConnected: false,
      connection: 'offline',
      pendingChanges: 2,
    })
    let root: ReturnType<typeof hydrateRoot> | undefined
    await act(async () => {
      root = hydrateRoot(container, <App client={client} />, { onRecoverableError: recoverable })
    })
    expect(errors).not.toHaveBeenCalled()
    expect(recoverable).not.toHaveBeenCalled()
    // The server's elements are kept and only their text changes.
    expect(container.querySelector('.driftless-offline-banner')).toBe(serverRegion)
    expect(serverRegion?.textContent).toContain("You're offline")
    expect(container.querySelector('.driftless-sync-status')?.getAttribute('data-state')).toBe('offline')
    act(() => root?.unmount())
  })
})
