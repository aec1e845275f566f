// @vitest-environment node
import { renderToString } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { FakeSyncClient } from './test/FakeSyncClient.js'

describe('server rendering', () => {
  it('renders without window, document or the client’s state, and includes the one live region, empty', async () => {
    expect(typeof window).toBe('undefined')
    expect(typeof document).toBe('undefined')
    const { OfflineBanner, RetryButton, SyncProvider, SyncStatus } = await import('./index.js')
    const client = new FakeSyncClient({ isOnline: false, isConnected: false, pendingChanges: 7 })
    client.subscribe = () => {
      throw new Error('subscribed on the server')
    }
    client.getSnapshot = () => {
      throw new Error('read the client snapshot on the server')
    }
    const html = renderToString(
      <SyncProvider client={client}>
        <OfflineBanner />
        <SyncStatus />
        <RetryButton />
      </SyncProvider>,
    )
    expect(html).toContain('class="driftless-offline-banner" data-state="online"')
    // Nothing is known on the server, so nothing is claimed: no state, no count.
    expect(html).toContain('class="driftless-sync-status" data-state="loading"')
    expect(html).not.toMatch(/data-state="offline"|saved on this device|7 changes/)
    // The one live region is in the server HTML, empty, so its first text after hydration is announced.
    expect(html.match(/role="status"/g)).toHaveLength(1)
    expect(html).toMatch(/<div role="status" aria-live="polite" class="driftless-announcer"[^>]*><\/div>/)
    expect(html).toContain('Sync now')
  })
})
