import { act, screen } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { SyncStatus } from './SyncStatus.js'
import { FakeSyncClient } from './test/FakeSyncClient.js'
import { renderWithClient } from './test/render.js'

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0)

beforeEach(() => {
  vi.useFakeTimers()
  vi.setSystemTime(NOW)
})

afterEach(() => {
  vi.useRealTimers()
})

function root() {
  return screen.getByRole('status').parentElement as HTMLElement
}

describe('SyncStatus', () => {
  it('is idle with an empty live region when everything is synced', () => {
    renderWithClient(new FakeSyncClient({ lastSyncedAt: NOW - 5_000 }), <SyncStatus />)
    expect(root().dataset.state).toBe('idle')
    expect(screen.getByRole('status').getAttribute('aria-live')).toBe('polite')
    expect(screen.getByRole('status').textContent).toBe('')
    expect(root().textContent).toBe('Last synced now')
  })

  it('shows a spinner while syncing, hidden from the live region', () => {
    renderWithClient(new FakeSyncClient({ isUploading: true, pendingChanges: 3 }), <SyncStatus />)
    expect(root().dataset.state).toBe('syncing')
    const spinner = root().querySelector('.driftless-sync-status__spinner')
    expect(spinner?.getAttribute('aria-hidden')).toBe('true')
    expect(spinner?.textContent).toBe('Syncing…')
    expect(screen.getByRole('status').textContent).toBe('')
  })

  it('counts pending changes when not syncing', () => {
    renderWithClient(new FakeSyncClient({ pendingChanges: 3 }), <SyncStatus />)
    expect(root().dataset.state).toBe('pending')
    expect(screen.getByRole('status').textContent).toBe('3 changes pending')
  })

  it('counts failed changes with the last error', () => {
    renderWithClient(
      new FakeSyncClient({ failedChanges: 1, pendingChanges: 2, lastError: 'Server said 422' }),
      <SyncStatus />,
    )
    expect(root().dataset.state).toBe('error')
    expect(screen.getByRole('status').textContent).toBe('1 change failed — Server said 422 2 changes pending')
  })

  it('reports an error being retried even with no failed change', () => {
    renderWithClient(new FakeSyncClient({ lastError: 'Network down' }), <SyncStatus />)
    expect(root().dataset.state).toBe('error')
    expect(screen.getByRole('status').textContent).toBe('Sync error — Network down')
  })

  it('says offline when there is no network', () => {
    renderWithClient(
      new FakeSyncClient({ isOnline: false, isConnected: false, pendingChanges: 1 }),
      <SyncStatus />,
    )
    expect(root().dataset.state).toBe('offline')
    expect(screen.getByRole('status').textContent).toBe('Offline 1 change pending')
  })

  it('changes the text of the same region as the state moves', () => {
    const client = new FakeSyncClient()
    renderWithClient(client, <SyncStatus />)
    const region = screen.getByRole('status')
    act(() => client.store.update({ pendingChanges: 2 }))
    expect(screen.getByRole('status')).toBe(region)
    expect(region.textContent).toBe('2 changes pending')
  })

  it('refreshes the last synced time while mounted and stops its interval on unmount', () => {
    const client = new FakeSyncClient({ lastSyncedAt: NOW })
    const { unmount } = renderWithClient(client, <SyncStatus />)
    expect(root().querySelector('time')?.getAttribute('datetime')).toBe(new Date(NOW).toISOString())
    expect(root().textContent).toBe('Last synced now')
    act(() => vi.advanceTimersByTime(3 * 60_000))
    expect(root().textContent).toBe('Last synced 3 minutes ago')
    expect(vi.getTimerCount()).toBe(1)
    unmount()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('runs no timer before the first sync', () => {
    renderWithClient(new FakeSyncClient(), <SyncStatus />)
    expect(root().textContent).toBe('Not synced yet')
    expect(vi.getTimerCount()).toBe(0)
  })

  it('takes every label, a className and other DOM props', () => {
    renderWithClient(
      new FakeSyncClient({ pendingChanges: 2, failedChanges: 1, lastError: 'boom', lastSyncedAt: NOW - 1 }),
      <SyncStatus
        className="mine"
        title="Sync"
        labels={{
          pending: (n) => `${n} en attente`,
          failed: (n, error) => `${n} en échec (${error})`,
          lastSynced: (time) => `Synchronisé ${time}`,
          formatTime: (at) => `à ${at}`,
        }}
      />,
    )
    expect(root().className).toBe('driftless-sync-status mine')
    expect(root().title).toBe('Sync')
    expect(screen.getByRole('status').textContent).toBe('1 en échec (boom) 2 en attente')
    expect(root().querySelector('time')?.textContent).toBe(`Synchronisé à ${NOW - 1}`)
  })
})
