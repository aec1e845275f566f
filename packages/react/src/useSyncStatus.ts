'use client'
import { initialSyncStatus, type SyncStatus } from '@driftless/core'
import { useCallback, useEffect, useMemo, useRef, useSyncExternalStore } from 'react'
import { useSyncClientFor } from './SyncProvider.js'

/**
 * What server rendering and hydration read instead of the client: nothing known yet, a connection assumed
 * to be on its way, so server HTML never marks the banner or status `offline` before the browser knows.
 */
export const serverSyncStatus: SyncStatus = Object.freeze({
  ...initialSyncStatus,
  isConnecting: true,
  connection: 'connecting',
})

const selectAll = (status: SyncStatus): SyncStatus => status

/**
 * The client's status, or the slice `selector` picks from it. The component re-renders only when that slice
 * changes: by `Object.is`, or by `isEqual` for selectors that build a new object each time (`shallowEqual`).
 */
export function useSyncStatus(): SyncStatus
export function useSyncStatus<T>(selector: (status: SyncStatus) => T, isEqual?: (a: T, b: T) => boolean): T
export function useSyncStatus<T>(
  selector: (status: SyncStatus) => T = selectAll as (status: SyncStatus) => T,
  isEqual: (a: T, b: T) => boolean = Object.is,
): T {
  const client = useSyncClientFor('useSyncStatus()')
  const subscribe = useCallback((onChange: () => void) => client.subscribe(onChange), [client])
  // The rendered slice outlives a new inline selector, so an equal derived object keeps its identity.
  const rendered = useRef<{ value: T } | null>(null)
  const select = useMemo(() => {
    let last: { status: SyncStatus; value: T } | null = null
    return (status: SyncStatus): T => {
      if (last?.status === status) return last.value
      const next = selector(status)
      const previous = last ?? rendered.current
      const value = previous !== null && isEqual(previous.value, next) ? previous.value : next
      last = { status, value }
      return value
    }
  }, [selector, isEqual])
  const value = useSyncExternalStore(
    subscribe,
    () => select(client.getSnapshot()),
    () => select(serverSyncStatus),
  )
  useEffect(() => {
    rendered.current = { value }
  }, [value])
  return value
}
