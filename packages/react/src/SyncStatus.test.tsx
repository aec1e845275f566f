import { act } from '@testing-library/react'
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

function status() {
  return document.querySelector('.driftless-sync-status') as HTMLElement
}

function shows(client: FakeSyncClient) {
  renderWithClient(client, <SyncStatus />)
  return { state: status().dataset.state, text: status().textContent }
}

describe('SyncStatus', () => {
  it('paints nothing until the stored state is read, so no wrong count or state flashes', () => {
    expect(
      shows(new FakeSyncClient({ isLoaded: false, connection: 'connecting', pendingChanges: 0 })),
    ).toEqual({
      state: 'loading',
      text: '',
    })
  })

  it('says all changes are synced, and when, once that was over a minute ago', () => {
    const client = new FakeSyncClient({ hasSynced: true, lastSyncedAt: NOW - 5_000 })
    expect(shows(client)).toEqual({ state: 'synced', text: 'All changes synced' })
    act(() => vi.advanceTimersByTime(3 * 60_000))
    expect(status().textContent).toBe('All changes synced Last synced 3 minutes ago')
  })

  it('says it is connecting before a first sync, and that all is synced after a reload that had synced', () => {
    expect(shows(new FakeSyncClient({ connection: 'connecting' }))).toEqual({
      state: 'connecting',
      text: 'Connecting…',
    })
  })

  it('keeps the synced state during a reload’s reconnect when the device had synced', () => {
    const client = new FakeSyncClient({
      connection: 'connecting',
      hasSynced: true,
      lastSyncedAt: NOW - 60_000,
    })
    expect(shows(client)).toEqual({ state: 'synced', text: 'All changes synced Last synced 1 minute ago' })
  })

  it('counts the changes being uploaded beside a spinner hidden from screen readers', () => {
    const { state, text } = shows(
      new FakeSyncClient({ isUploading: true, pendingChanges: 3, hasSynced: true }),
    )
    expect({ state, text }).toEqual({ state: 'syncing', text: 'Syncing 3 changes…' })
    expect(status().querySelector('.driftless-sync-status__spinner')?.getAttribute('aria-hidden')).toBe(
      'true',
    )
  })

  it('does not flash "syncing" for a background round with nothing to upload', () => {
    const client = new FakeSyncClient({ hasSynced: true, lastSyncedAt: NOW })
    renderWithClient(client, <SyncStatus />)
    act(() => client.store.update({ isDownloading: true }))
    expect(status().dataset.state).toBe('synced')
  })

  it('counts changes waiting to sync', () => {
    expect(shows(new FakeSyncClient({ pendingChanges: 1, hasSynced: true }))).toEqual({
      state: 'pending',
      text: '1 change waiting to sync',
    })
  })

  it('says how many changes could not be saved, with the technical detail folded away', () => {
    const client = new FakeSyncClient({
      failedChanges: 2,
      lastError: 'Change abc to todos/1 was refused: 422',
      hasSynced: true,
    })
    renderWithClient(client, <SyncStatus />)
    expect(status().dataset.state).toBe('failed')
    expect(status().querySelector('.driftless-sync-status__message')?.textContent).toBe(
      '2 changes could not be saved.',
    )
    const details = status().querySelector('details')
    expect(details?.open).toBe(false)
    expect(details?.querySelector('summary')?.textContent).toBe('Details')
    expect(details?.querySelector('code')?.textContent).toBe('Change abc to todos/1 was refused: 422')
  })

  it('says first that the device is out of space and the last change was not saved, even offline', () => {
    const full = { persisted: false, usage: null, quota: null, full: true }
    expect(
      shows(new FakeSyncClient({ connection: 'offline', isOnline: false, pendingChanges: 2, storage: full })),
    ).toEqual({
      state: 'storage-full',
      text: 'This device is out of storage space, so your last change was not saved. Free up some space, then try again.',
    })
  })

  it('says the device is offline and that the waiting changes are safe', () => {
    expect(shows(new FakeSyncClient({ connection: 'offline', isOnline: false, pendingChanges: 3 }))).toEqual({
      state: 'offline',
      text: "You're offline. 3 changes are saved on this device and will sync when you're back online.",
    })
  })

  it('says the server cannot be reached and counts down to the next retry, second by second', () => {
    const client = new FakeSyncClient({
      connection: 'unreachable',
      pendingChanges: 3,
      nextRetryAt: NOW + 12_000,
      lastError: 'Sync push to http://127.0.0.1:8801/push failed with a network error',
    })
    renderWithClient(client, <SyncStatus />)
    const message = () => status().querySelector('.driftless-sync-status__message')?.textContent
    const retry = () => status().querySelector('.driftless-sync-status__retry')?.textContent
    expect(status().dataset.state).toBe('unreachable')
    expect(message()).toBe(
      "Can't reach the server. 3 changes are saved on this device and will sync when it's back.",
    )
    expect(retry()).toBe(' Trying again in 12 s.')
    act(() => vi.advanceTimersByTime(5_000))
    expect(retry()).toBe(' Trying again in 7 s.')
    act(() => client.store.update({ isUploading: true, nextRetryAt: null }))
    expect(retry()).toBe(' Trying again now…')
    expect(message()).not.toContain('http')
  })

  it('asks to sign in again when the credentials are refused', () => {
    expect(shows(new FakeSyncClient({ connection: 'needs-auth', pendingChanges: 1 })).text).toBe(
      'Please sign in again to sync. 1 change is saved on this device and will sync after you sign in.',
    )
  })

  it('says sync is paused', () => {
    expect(shows(new FakeSyncClient({ connection: 'paused', isPaused: true }))).toEqual({
      state: 'paused',
      text: 'Sync is paused. Changes you make are saved on this device.',
    })
  })

  it('moves through the states of an outage in one element', () => {
    const client = new FakeSyncClient({ hasSynced: true, lastSyncedAt: NOW })
    renderWithClient(client, <SyncStatus />)
    const element = status()
    const seen = [element.dataset.state]
    act(() => client.store.update({ pendingChanges: 1 }))
    seen.push(status().dataset.state)
    act(() => client.store.update({ connection: 'unreachable', nextRetryAt: NOW + 5_000 }))
    seen.push(status().dataset.state)
    act(() => client.store.update({ connection: 'connected', isUploading: true, nextRetryAt: null }))
    seen.push(status().dataset.state)
    act(() => client.store.update({ isUploading: false, pendingChanges: 0 }))
    seen.push(status().dataset.state)
    expect(seen).toEqual(['synced', 'pending', 'unreachable', 'syncing', 'synced'])
    expect(status()).toBe(element)
  })

  it('is not a live region: transitions are announced once by the provider, never a countdown', () => {
    renderWithClient(
      new FakeSyncClient({ connection: 'unreachable', nextRetryAt: NOW + 9_000 }),
      <SyncStatus />,
    )
    expect(status().closest('[aria-live]')).toBeNull()
    expect(status().querySelector('[aria-live]')).toBeNull()
  })

  it('takes labels, a className and other DOM props', () => {
    renderWithClient(
      new FakeSyncClient({ pendingChanges: 2, hasSynced: true }),
      <SyncStatus className="mine" title="Sync" labels={{ pending: (n) => `${n} en attente` }} />,
    )
    expect(status().className).toBe('driftless-sync-status mine')
    expect(status().title).toBe('Sync')
    expect(status().textContent).toBe('2 en attente')
  })

  it('stops its clock on unmount', () => {
    const { unmount } = renderWithClient(new FakeSyncClient({ lastSyncedAt: NOW }), <SyncStatus />)
    expect(vi.getTimerCount()).toBe(1)
    unmount()
    expect(vi.getTimerCount()).toBe(0)
  })
})
