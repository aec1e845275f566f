import { TransportError } from '@driftless/core'
import { act, fireEvent, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { RetryButton } from './RetryButton.js'
import { entry, FakeSyncClient } from './test/FakeSyncClient.js'
import { renderWithClient } from './test/render.js'

const result = () => document.querySelector('.driftless-retry__result')?.textContent
const announced = () => screen.getByRole('status').textContent

describe('RetryButton', () => {
  it('syncs on click, is aria-disabled meanwhile, then says it synced, on screen and to screen readers', async () => {
    const client = new FakeSyncClient()
    renderWithClient(client, <RetryButton />)
    const button = screen.getByRole('button', { name: 'Sync now' })
    expect(button.getAttribute('type')).toBe('button')
    fireEvent.click(button)
    expect(client.calls.sync).toBe(1)
    expect(button.getAttribute('aria-disabled')).toBe('true')
    expect(button.dataset.state).toBe('syncing')
    await act(async () => client.finishSync())
    expect(button.hasAttribute('aria-disabled')).toBe(false)
    expect(result()).toBe('Synced.')
    expect(announced()).toBe('Synced.')
  })

  it('with quietSuccess, announces a plain success without showing it beside a status that says it', async () => {
    const client = new FakeSyncClient()
    renderWithClient(client, <RetryButton quietSuccess />)
    fireEvent.click(screen.getByRole('button', { name: 'Sync now' }))
    await act(async () => client.finishSync())
    expect(result()).toBeUndefined()
    expect(announced()).toBe('Synced.')
    fireEvent.click(screen.getByRole('button', { name: 'Sync now' }))
    await act(async () => client.failSync(new TransportError(503, 'Service unavailable')))
    expect(result()).toBe("Still can't reach the server. Your changes are safe on this device.")
  })

  it('says it is still offline when the round fails without a network', async () => {
    const client = new FakeSyncClient({ isOnline: false, connection: 'offline' })
    renderWithClient(client, <RetryButton />)
    fireEvent.click(screen.getByRole('button'))
    await act(async () => client.failSync(new TransportError(0, 'Failed to fetch')))
    expect(result()).toBe('Still offline. Your changes are safe on this device.')
  })

  it('says the server is still unreachable, or that sign-in is needed, from the error', async () => {
    const client = new FakeSyncClient()
    renderWithClient(client, <RetryButton />)
    fireEvent.click(screen.getByRole('button'))
    await act(async () => client.failSync(new TransportError(503, 'Service unavailable')))
    expect(result()).toBe("Still can't reach the server. Your changes are safe on this device.")
    fireEvent.click(screen.getByRole('button'))
    await act(async () => client.failSync(new TransportError(401, 'Unauthorized')))
    expect(result()).toBe('The server still does not accept your sign-in.')
  })

  it('offers to put failed changes back in the queue, then syncs and says what happened', async () => {
    const client = new FakeSyncClient({}, [entry({ status: 'failed' }), entry({ status: 'failed' })])
    client.setChanges(await client.listChanges())
    renderWithClient(client, <RetryButton />)
    fireEvent.click(screen.getByRole('button', { name: 'Try 2 failed changes again' }))
    await act(async () => {})
    expect(client.calls.retryFailed).toEqual([undefined])
    expect(client.calls.sync).toBe(1)
    expect(screen.queryByRole('button', { name: /failed changes/ })).toBeNull()
    await act(async () => client.finishSync())
    expect(result()).toBe('2 changes waiting to sync')
  })

  it('stops showing its result once the status tells a different story', async () => {
    const client = new FakeSyncClient({ hasSynced: true })
    renderWithClient(client, <RetryButton />)
    fireEvent.click(screen.getByRole('button'))
    await act(async () => client.finishSync())
    expect(result()).toBe('Synced.')
    act(() => client.store.update({ failedChanges: 1 }))
    expect(result()).toBeUndefined()
  })

  it('says how many changes could not be saved when a plain sync leaves failed ones', async () => {
    const client = new FakeSyncClient({ failedChanges: 2 })
    renderWithClient(client, <RetryButton />)
    fireEvent.click(screen.getByRole('button', { name: 'Sync now' }))
    await act(async () => client.finishSync())
    expect(result()).toBe('2 changes could not be saved.')
  })

  it('is aria-disabled while a round runs, so focus stays, and ignores clicks', () => {
    const client = new FakeSyncClient({ isDownloading: true })
    renderWithClient(client, <RetryButton />)
    const button = screen.getByRole('button')
    button.focus()
    expect(button.getAttribute('aria-disabled')).toBe('true')
    fireEvent.click(button)
    expect(client.calls.sync).toBe(0)
    act(() => client.store.update({ isDownloading: false }))
    expect(button.hasAttribute('aria-disabled')).toBe(false)
    expect(document.activeElement).toBe(button)
  })

  it('takes labels, children, a className, an onClick that can cancel, and other DOM props', () => {
    const client = new FakeSyncClient()
    renderWithClient(
      client,
      <>
        <RetryButton labels={{ retry: 'Réessayer' }} className="mine" data-testid="a" />
        <RetryButton onClick={(event) => event.preventDefault()}>Try again</RetryButton>
      </>,
    )
    const labelled = screen.getByTestId('a')
    expect(labelled.textContent).toBe('Réessayer')
    expect(labelled.className).toBe('driftless-retry-button mine')
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }))
    expect(client.calls.sync).toBe(0)
    fireEvent.click(labelled)
    expect(client.calls.sync).toBe(1)
  })
})
