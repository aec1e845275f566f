'use client'
import type { SyncClient } from '@driftless/core'
import { createContext, useContext } from 'react'
import type { AnnouncerChannel } from './AnnouncerChannel.js'
import { MissingSyncProviderError } from './MissingSyncProviderError.js'
import { defaultSyncMessages, type SyncMessages } from './messages.js'

export const SyncClientContext = createContext<SyncClient | null>(null)
export const MessagesContext = createContext<SyncMessages>(defaultSyncMessages)
export const AnnouncerContext = createContext<AnnouncerChannel | null>(null)

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

/** The provider's messages with a component's own `labels` on top. */
export function useSyncMessages(labels?: Partial<SyncMessages>): SyncMessages {
  const messages = useContext(MessagesContext)
  return labels ? { ...messages, ...labels } : messages
}

/** Says something through the provider's live region (nothing when announcements are off). */
export function useAnnounce(): (message: string) => void {
  const channel = useContext(AnnouncerContext)
  return channel ? channel.say : noAnnouncer
}

const noAnnouncer = () => {}
