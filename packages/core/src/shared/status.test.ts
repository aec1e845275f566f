import { describe, expect, it, vi } from 'vitest'
import { initialSyncStatus, isSyncStatus, SyncStatusStore } from './status.js'

describe('SyncStatusStore', () => {
  it('keeps the same snapshot and tells nobody when an update changes nothing', () => {
    const store = new SyncStatusStore()
    const listener = vi.fn()
    store.subscribe(listener)
    const before = store.getSnapshot()
    store.update({ isOnline: true, pendingChanges: 0 })
    expect(store.getSnapshot()).toBe(before)
    expect(listener).not.toHaveBeenCalled()
  })

  it('replaces the snapshot with a frozen copy and notifies once when a field changes', () => {
    const store = new SyncStatusStore()
    const listener = vi.fn()
    store.subscribe(listener)
    const before = store.getSnapshot()
    store.update({ pendingChanges: 3 })
    const after = store.getSnapshot()
    expect(after).not.toBe(before)
    expect(after.pendingChanges).toBe(3)
    expect(Object.isFrozen(after)).toBe(true)
    expect(listener).toHaveBeenCalledExactlyOnceWith(after)
  })

  it('derives isSyncing from isUploading and isDownloading', () => {
    const store = new SyncStatusStore()
    expect(store.update({ isDownloading: true }).isSyncing).toBe(true)
    expect(store.update({ isDownloading: false, isUploading: true }).isSyncing).toBe(true)
    expect(store.update({ isUploading: false }).isSyncing).toBe(false)
  })

  it('stops notifying a listener once it unsubscribes', () => {
    const store = new SyncStatusStore()
    const listener = vi.fn()
    const unsubscribe = store.subscribe(listener)
    unsubscribe()
    store.update({ failedChanges: 1 })
    expect(listener).not.toHaveBeenCalled()
  })
})

describe('isSyncStatus', () => {
  it('accepts a full status and refuses one with a field missing or of the wrong kind', () => {
    expect(isSyncStatus(initialSyncStatus)).toBe(true)
    expect(isSyncStatus({ ...initialSyncStatus, lastSyncedAt: 5, lastError: 'down' })).toBe(true)
    const { isLeader: _, ...missing } = initialSyncStatus
    expect(isSyncStatus(missing)).toBe(false)
    expect(isSyncStatus({ ...initialSyncStatus, pendingChanges: '3' })).toBe(false)
    expect(isSyncStatus({ ...initialSyncStatus, isConnected: null })).toBe(false)
  })
})
