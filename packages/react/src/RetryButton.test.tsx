import { act, fireEvent, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { RetryButton } from './RetryButton.js'
import { FakeSyncClient } from './test/FakeSyncClient.js'
import { renderWithClient } from './test/render.js'

describe('RetryButton', () => {
  it('calls sync() on click and reads "Syncing..." while the round runs', () => {
    const client = new FakeSyncClient({ failedChanges: 1 })
    renderWithClient(client, <RetryButton />)
    const button = screen.getByRole('button', { name: 'Retry Sync' })
    expect(button.getAttribute('type')).toBe('button')
    expect(button.dataset.state).toBe('idle')
    fireEvent.click(button)
    expect(client.calls.sync).toBe(1)
    expect(button.textContent).toBe('Syncing...')
    expect(button.dataset.state).toBe('syncing')
    act(() => client.finishSync())
    expect(button.textContent).toBe('Retry Sync')
  })

  it('is disabled while syncing (aria-disabled, so focus stays) and ignores clicks', () => {
    const client = new FakeSyncClient({ isDownloading: true })
    renderWithClient(client, <RetryButton />)
    const button = screen.getByRole('button')
    button.focus()
    expect(button.getAttribute('aria-disabled')).toBe('true')
    fireEvent.click(button)
    expect(client.calls.sync).toBe(0)
    expect(document.activeElement).toBe(button)
    act(() => client.store.update({ isDownloading: false }))
    expect(button.hasAttribute('aria-disabled')).toBe(false)
    expect(document.activeElement).toBe(button)
  })

  it('takes labels, children, a className, an onClick that can cancel, and other DOM props', () => {
    const client = new FakeSyncClient()
    renderWithClient(
      client,
      <>
        <RetryButton labels={{ idle: 'Réessayer', syncing: 'En cours' }} className="mine" data-testid="a" />
        <RetryButton onClick={(event) => event.preventDefault()}>Try again</RetryButton>
      </>,
    )
    const labelled = screen.getByTestId('a')
    expect(labelled.textContent).toBe('Réessayer')
    expect(labelled.className).toBe('driftless-retry-button mine')
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }))
    expect(client.calls.sync).toBe(0)
    fireEvent.click(labelled)
    expect(labelled.textContent).toBe('En cours')
    expect(client.calls.sync).toBe(1)
  })
})
