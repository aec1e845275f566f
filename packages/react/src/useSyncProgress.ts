'use client'
import type { SyncStatus } from '@driftless/core'
import { shallowEqual } from './shallowEqual.js'
import { useSyncStatus } from './useSyncStatus.js'

/** What is moving right now and how far it has come; `total` is null when the server did not say. */
export interface SyncProgressValue {
  readonly direction: 'download' | 'upload'
  readonly done: number
  readonly total: number | null
}

/** The progress of a catch-up or of draining a large queue from a status, or null when neither runs. */
export function selectSyncProgress(status: SyncStatus): SyncProgressValue | null {
  const download = status.downloadProgress
  if (download) return { direction: 'download', done: download.done, total: download.total }
  const upload = status.uploadProgress
  return upload ? { direction: 'upload', done: upload.done, total: upload.total } : null
}

/** The current transfer's progress (see `selectSyncProgress`); re-renders only when it changes. */
export function useSyncProgress(): SyncProgressValue | null {
  return useSyncStatus(selectSyncProgress, shallowEqual)
}
