// @vitest-environment node
import { renderToString } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { FakeSyncClient } from './test/FakeSyncClient.js'

describe('server rendering', () => {
  it('renders without window, document or the client’s state, and includes the live regions', async () => {
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
    expect(html).toContain(
      'role="status" aria-live="polite" class="driftless-offline-banner" data-state="online"',
    )
    expect(html).toContain('class="driftless-sync-status" data-state="idle"')
    expect(html.match(/role="status"/g)).toHaveLength(2)
    expect(html).toContain('Retry Sync')
    expect(html).not.toContain('offline.')
  })
})
