'use client'
import type { ChangeStatus, OutboxEntry, SyncClient } from '@driftless/core'
import { useEffect, useState } from 'react'
import { useSyncClientFor } from './SyncProvider.js'

const PENDING: readonly ChangeStatus[] = ['pending', 'syncing']
const FAILED: readonly ChangeStatus[] = ['failed']

function useChanges(hook: string, statuses: readonly ChangeStatus[]): OutboxEntry[] | undefined {
  const client = useSyncClientFor(hook)
  const [seen, setSeen] = useState<{ client: SyncClient; entries: OutboxEntry[] } | null>(null)
  useEffect(() => {
    let active = true
    const unsubscribe = client.watchChanges({ status: statuses }, (entries) => {
      if (active) setSeen({ client, entries })
    })
    return () => {
      active = false
      unsubscribe()
    }
  }, [client, statuses])
  // Entries heard from a previous client are not this client's changes.
  return seen?.client === client ? seen.entries : undefined
}

/** Outbox entries waiting or in flight, oldest first, kept live; `undefined` until the first answer. */
export function usePendingChanges(): OutboxEntry[] | undefined {
  return useChanges('usePendingChanges()', PENDING)
}

/** Changes that exhausted their retries, oldest first, kept live; `undefined` until the first answer. */
export function useFailedChanges(): OutboxEntry[] | undefined {
  return useChanges('useFailedChanges()', FAILED)
}
