'use client'
import type { SyncClient } from '@driftless/core'
import { createContext, type ReactNode, useContext } from 'react'
import { MissingSyncProviderError } from './MissingSyncProviderError.js'

const SyncClientContext = createContext<SyncClient | null>(null)

export interface SyncProviderProps {
  /** The app's client; the provider only hands it down and starts nothing, so StrictMode is safe. */
  client: SyncClient
  children?: ReactNode
}

export function SyncProvider({ client, children }: SyncProviderProps) {
  return <SyncClientContext.Provider value={client}>{children}</SyncClientContext.Provider>
}

/** The client given to the nearest `SyncProvider`; throws `MissingSyncProviderError` outside one. */
export function useSyncClient(): SyncClient {
  return useSyncClientFor('useSyncClient()')
}

/** `useSyncClient()` whose error names the hook or component that needed the provider. */
export function useSyncClientFor(caller: string): SyncClient {
  const client = useContext(SyncClientContext)
  if (client === null) throw new MissingSyncProviderError(caller)
  return client
}
