import { render, renderHook } from '@testing-library/react'
import type { ReactNode } from 'react'
import { describe, expect, it, vi } from 'vitest'
import { MissingSyncProviderError } from './MissingSyncProviderError.js'
import { OfflineBanner } from './OfflineBanner.js'
import { RetryButton } from './RetryButton.js'
import { SyncProvider, useSyncClient } from './SyncProvider.js'
import { SyncStatus } from './SyncStatus.js'
import { FakeSyncClient } from './test/FakeSyncClient.js'

describe('SyncProvider and useSyncClient', () => {
  it('hands the client down and starts nothing; without announcements it does not even subscribe', () => {
    const client = new FakeSyncClient()
    const sync = vi.spyOn(client, 'sync')
    const subscribe = vi.spyOn(client, 'subscribe')
    const { result } = renderHook(() => useSyncClient(), {
      wrapper: ({ children }: { children: ReactNode }) => (
        <SyncProvider client={client} announce={false}>
          {children}
        </SyncProvider>
      ),
    })
    expect(result.current).toBe(client)
    expect(sync).not.toHaveBeenCalled()
    expect(subscribe).not.toHaveBeenCalled()
  })

  it('gives every component the same words, replaced in one place', () => {
    const client = new FakeSyncClient({ connection: 'offline', pendingChanges: 1 })
    const { container } = render(
      <SyncProvider client={client} messages={{ offline: (n) => `Hors ligne, ${n} en attente.` }}>
        <OfflineBanner />
        <SyncStatus />
      </SyncProvider>,
    )
    expect(container.querySelector('.driftless-offline-banner')?.textContent).toBe(
      'Hors ligne, 1 en attente.',
    )
    expect(container.querySelector('.driftless-sync-status')?.textContent).toBe('Hors ligne, 1 en attente.')
  })

  it('throws an error with a code that says to add the provider, naming the caller', () => {
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {})
    expect(() => renderHook(() => useSyncClient())).toThrow(MissingSyncProviderError)
    expect(() => render(<RetryButton />)).toThrow(
      expect.objectContaining({
        code: 'NO_PROVIDER',
        message: expect.stringContaining('RetryButton must be used inside <SyncProvider client={client}>'),
      }),
    )
    quiet.mockRestore()
  })
})
