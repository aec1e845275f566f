import { act, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { OfflineBanner } from './OfflineBanner.js'
import { FakeSyncClient } from './test/FakeSyncClient.js'
import { renderWithClient } from './test/render.js'
import { useSyncStatus } from './useSyncStatus.js'

function SeedApp() {
  const { isConnected } = useSyncStatus()
  return <div>{!isConnected && <OfflineBanner />}</div>
}

describe('OfflineBanner', () => {
  it('renders an empty polite status region while connected', () => {
    renderWithClient(new FakeSyncClient({ isOnline: true, isConnected: true }), <OfflineBanner />)
    const region = screen.getByRole('status')
    expect(region.getAttribute('aria-live')).toBe('polite')
    expect(region.dataset.state).toBe('online')
    expect(region.textContent).toBe('')
  })

  it('says the device is offline when the browser has no network', () => {
    renderWithClient(new FakeSyncClient({ isOnline: false, isConnected: false }), <OfflineBanner />)
    const region = screen.getByRole('status')
    expect(region.dataset.state).toBe('offline')
    expect(region.dataset.reason).toBe('offline')
    expect(region.textContent).toContain('You are offline')
  })

  it('says the server is not connected when online but disconnected', () => {
    renderWithClient(new FakeSyncClient({ isOnline: true, isConnected: false }), <OfflineBanner />)
    const region = screen.getByRole('status')
    expect(region.dataset.state).toBe('offline')
    expect(region.dataset.reason).toBe('disconnected')
    expect(region.textContent).toContain('Not connected to the server')
  })

  it('stays quiet while a connection is being made', () => {
    renderWithClient(new FakeSyncClient({ isConnected: false, isConnecting: true }), <OfflineBanner />)
    expect(screen.getByRole('status').dataset.state).toBe('online')
    expect(screen.getByRole('status').textContent).toBe('')
  })

  it('keeps the same live region and changes only its text when the network comes and goes', () => {
    const client = new FakeSyncClient({ isOnline: true, isConnected: true })
    renderWithClient(client, <OfflineBanner />)
    const region = screen.getByRole('status')
    act(() => client.store.update({ isOnline: false, isConnected: false }))
    expect(screen.getByRole('status')).toBe(region)
    expect(region.textContent).toContain('You are offline')
    act(() => client.store.update({ isOnline: true, isConnected: true }))
    expect(screen.getByRole('status')).toBe(region)
    expect(region.textContent).toBe('')
  })

  it('renders the region empty first and the text after mount when mounted only while disconnected', () => {
    const client = new FakeSyncClient({ isOnline: true, isConnected: true })
    const { container } = renderWithClient(client, <SeedApp />)
    expect(screen.queryByRole('status')).toBeNull()
    const observer = new MutationObserver(() => {})
    observer.observe(container, { childList: true, subtree: true, characterData: true })
    act(() => client.store.update({ isOnline: false, isConnected: false }))
    const records = observer.takeRecords()
    observer.disconnect()
    const region = screen.getByRole('status')
    // The text arrived in a region already in the document, not together with it.
    expect(records.some((record) => record.target === region && record.addedNodes.length > 0)).toBe(true)
    expect(screen.getByRole('status').textContent).toContain('You are offline')
  })

  it('takes labels, children, a className and other DOM props', () => {
    const client = new FakeSyncClient({ isOnline: false, isConnected: false })
    renderWithClient(
      client,
      <>
        <OfflineBanner labels={{ offline: 'Hors ligne' }} className="mine" id="banner" data-testid="a" />
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
    act(() => client.store.update({ isOnline: true, isConnected: true }))
    expect(screen.getByTestId('b').textContent).toBe('')
  })
})
