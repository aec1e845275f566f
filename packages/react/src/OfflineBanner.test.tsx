import { act, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { OfflineBanner } from './OfflineBanner.js'
import { FakeSyncClient } from './test/FakeSyncClient.js'
import { renderWithClient } from './test/render.js'
import { useSyncStatus } from './useSyncStatus.js'

function banner() {
  return document.querySelector('.driftless-offline-banner') as HTMLElement
}

function SeedApp() {
  const { isConnected } = useSyncStatus()
  return <div>{!isConnected && <OfflineBanner />}</div>
}

describe('OfflineBanner', () => {
  it('is empty while connected, and while a connection is being made', () => {
    const client = new FakeSyncClient()
    renderWithClient(client, <OfflineBanner />)
    expect(banner().dataset.state).toBe('online')
    expect(banner().textContent).toBe('')
    act(() => client.store.update({ connection: 'connecting', isConnected: false }))
    expect(banner().textContent).toBe('')
  })

  it.each([
    ['offline', "You're offline. 2 changes are saved on this device and will sync when you're back online."],
    [
      'unreachable',
      "Can't reach the server. 2 changes are saved on this device and will sync when it's back.",
    ],
    [
      'needs-auth',
      'Please sign in again to sync. 2 changes are saved on this device and will sync after you sign in.',
    ],
    ['paused', 'Sync is paused. 2 changes are saved on this device and will sync when you resume.'],
  ] as const)('says why changes wait when %s', (connection, text) => {
    renderWithClient(new FakeSyncClient({ connection, pendingChanges: 2 }), <OfflineBanner />)
    expect(banner().dataset.state).toBe('offline')
    expect(banner().dataset.reason).toBe(connection)
    expect(banner().textContent).toBe(text)
  })

  it('says nothing before the stored state is read', () => {
    renderWithClient(new FakeSyncClient({ connection: 'offline', isLoaded: false }), <OfflineBanner />)
    expect(banner().textContent).toBe('')
  })

  it('keeps the same element and changes only its text when the network comes and goes', () => {
    const client = new FakeSyncClient()
    renderWithClient(client, <OfflineBanner />)
    const element = banner()
    act(() => client.store.update({ connection: 'offline', isOnline: false }))
    expect(banner()).toBe(element)
    expect(element.textContent).toContain("You're offline")
    act(() => client.store.update({ connection: 'connected', isOnline: true }))
    expect(element.textContent).toBe('')
  })

  it('works mounted only while disconnected, as in {!isConnected && <OfflineBanner />}', () => {
    const client = new FakeSyncClient()
    renderWithClient(client, <SeedApp />)
    expect(banner()).toBeNull()
    act(() => client.store.update({ isConnected: false, connection: 'unreachable' }))
    expect(banner().textContent).toContain("Can't reach the server")
  })

  it('is not a live region of its own: the provider announces the change once', () => {
    renderWithClient(new FakeSyncClient({ connection: 'offline' }), <OfflineBanner />)
    expect(banner().getAttribute('aria-live')).toBeNull()
    expect(screen.getAllByRole('status')).toHaveLength(1)
  })

  it('takes labels, children, a className and other DOM props', () => {
    const client = new FakeSyncClient({ connection: 'offline', isOnline: false })
    renderWithClient(
      client,
      <>
        <OfflineBanner
          labels={{ offline: () => 'Hors ligne' }}
          className="mine"
          id="banner"
          data-testid="a"
        />
        <OfflineBanner data-testid="b">
          <strong>No network</strong>
        </OfflineBanner>
      </>,
    )
    const labelled = screen.getByTestId('a')
    expect(labelled.textContent).toBe('Hors ligne')
    expect(labelled.className).toBe('driftless-offline-banner mine')
    expect(labelled.id).toBe('banner')
    expect(screen.getByTestId('b').textContent).toBe('No network')
    act(() => client.store.update({ connection: 'connected', isOnline: true }))
    expect(screen.getByTestId('b').textContent).toBe('')
  })
})
