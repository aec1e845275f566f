import { act, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { FakeSyncClient } from './test/FakeSyncClient.js'
import { renderWithClient } from './test/render.js'

/** Renders a provider; `step` runs a change and records the region's text when it changed. */
function listen(client: FakeSyncClient) {
  renderWithClient(client, null)
  const region = screen.getByRole('status')
  const heard: string[] = []
  const step = (change: () => void) => {
    act(change)
    const text = region.textContent ?? ''
    if (text !== '' && text !== heard.at(-1)) heard.push(text)
  }
  return { region, heard: () => heard, step }
}

describe('the provider’s announcer', () => {
  it('is one polite region, empty from the first render, hidden from sight only', () => {
    const { region } = listen(new FakeSyncClient({ hasSynced: true }))
    expect(screen.getAllByRole('status')).toEqual([region])
    expect(region.getAttribute('aria-live')).toBe('polite')
    expect(region.textContent).toBe('')
    expect(region.style.position).toBe('absolute')
  })

  it('announces an outage and its end once each, not the retries or countdowns between', () => {
    const client = new FakeSyncClient({ hasSynced: true, pendingChanges: 1 })
    const { heard, step } = listen(client)
    step(() =>
      client.store.update({ connection: 'unreachable', nextRetryAt: 5_000, lastError: 'fetch failed' }),
    )
    for (let round = 0; round < 4; round++) {
      step(() => client.store.update({ isUploading: true, nextRetryAt: null }))
      step(() =>
        client.store.update({
          isUploading: false,
          nextRetryAt: 10_000 * (round + 1),
          pendingChanges: 2 + round,
        }),
      )
    }
    step(() => client.store.update({ connection: 'connected', isUploading: true, nextRetryAt: null }))
    step(() => client.store.update({ isUploading: false, pendingChanges: 0 }))
    expect(heard()).toEqual([
      "Can't reach the server. Changes you make are saved on this device.",
      'Back online.',
      'All changes synced.',
    ])
  })

  it('announces a full storage once, and all synced once a write succeeds again', () => {
    const client = new FakeSyncClient({ hasSynced: true })
    const { heard, step } = listen(client)
    const storage = { persisted: false, usage: null, quota: null }
    step(() => client.store.update({ storage: { ...storage, full: true } }))
    step(() => client.store.update({ storage: { ...storage, full: true }, pendingChanges: 1 }))
    step(() => client.store.update({ storage: { ...storage, full: false }, pendingChanges: 0 }))
    expect(heard()).toEqual([
      'This device is out of storage space, so your last change was not saved. Free up some space, then try again.',
      'All changes synced.',
    ])
  })

  it('says back online and all synced together when both happen at once', () => {
    const client = new FakeSyncClient()
    const { heard, step } = listen(client)
    step(() => client.store.update({ connection: 'offline', isOnline: false }))
    step(() => client.store.update({ connection: 'connected', isOnline: true, hasSynced: true }))
    expect(heard()).toEqual([
      "You're offline. Changes you make are saved on this device.",
      'Back online. All changes synced.',
    ])
  })

  it('announces changes that failed, and a pause and its end', () => {
    const client = new FakeSyncClient({ hasSynced: true })
    const { heard, step } = listen(client)
    step(() => client.store.update({ failedChanges: 1 }))
    step(() => client.store.update({ failedChanges: 0 }))
    step(() => client.store.update({ connection: 'paused', isPaused: true }))
    step(() => client.store.update({ connection: 'connected', isPaused: false }))
    expect(heard()).toEqual([
      '1 change could not be saved.',
      'Sync is paused. Changes you make are saved on this device.',
      'Sync resumed. All changes synced.',
    ])
  })

  it('says nothing about ordinary writes being uploaded', () => {
    const client = new FakeSyncClient({ hasSynced: true })
    const { heard, step } = listen(client)
    for (let write = 0; write < 3; write++) {
      step(() => client.store.update({ pendingChanges: 1 }))
      step(() => client.store.update({ isUploading: true }))
      step(() => client.store.update({ isUploading: false, pendingChanges: 0 }))
    }
    expect(heard()).toEqual([])
  })
})
