'use client'
import type { SyncStatus } from '@driftless/core'
import { useMemo } from 'react'
import { useSyncClientFor } from './SyncProvider.js'
import { useSyncStatus } from './useSyncStatus.js'

export interface UseSyncResult {
  /**
   * Runs an upload + download round now and resolves when it ends, also when it failed: the failure is in
   * `status.lastError` and the `onSync` error event (as TanStack Query's `refetch`). `onClick={sync}` works.
   * Call `useSyncClient().sync()` to get a rejected promise instead.
   */
  sync: () => Promise<void>
  /** The whole status snapshot; the component re-renders whenever any field changes. */
  status: SyncStatus
  /** Puts failed changes (all, or those ids) back in the queue; resolves with how many. */
  retryFailed: (ids?: readonly string[]) => Promise<number>
  /** Drops failed changes (all, or those ids) from the queue; resolves with how many. */
  discardFailed: (ids?: readonly string[]) => Promise<number>
}

/** The status plus the client's actions, each bound and stable for the life of the client. */
export function useSync(): UseSyncResult {
  const client = useSyncClientFor('useSync()')
  const status = useSyncStatus()
  const actions = useMemo(
    () => ({
      sync: () => client.sync().catch(() => {}),
      // `onClick={retryFailed}` passes an event, which must not be read as a list of ids.
      retryFailed: (ids?: readonly string[]) => client.retryFailed(Array.isArray(ids) ? ids : undefined),
      discardFailed: (ids?: readonly string[]) => client.discardFailed(Array.isArray(ids) ? ids : undefined),
    }),
    [client],
  )
  return { ...actions, status }
}
