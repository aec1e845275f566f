'use client'
import type { SyncClient } from '@driftless/core'
import { type ReactNode, useMemo, useState } from 'react'
import { AnnouncerChannel } from './AnnouncerChannel.js'
import { AnnouncerContext, MessagesContext, SyncClientContext } from './context.js'
import { defaultSyncMessages, type SyncMessages } from './messages.js'
import { SyncAnnouncer } from './SyncAnnouncer.js'

export { useAnnounce, useSyncClient, useSyncClientFor, useSyncMessages } from './context.js'

export interface SyncProviderProps {
  /** The app's client; the provider only hands it down and starts nothing, so StrictMode is safe. */
  client: SyncClient
  /** Replaces any of the words the components show and announce, e.g. to translate them. */
  messages?: Partial<SyncMessages>
  /**
   * Renders the one visually hidden live region that tells screen readers about sync: transitions only
   * (offline, back online, all synced, changes failed) and what a retry achieved. `false` leaves it out.
   */
  announce?: boolean
  children?: ReactNode
}

export function SyncProvider({ client, messages, announce = true, children }: SyncProviderProps) {
  const [channel] = useState(() => new AnnouncerChannel())
  const merged = useMemo(() => ({ ...defaultSyncMessages, ...messages }), [messages])
  return (
    <SyncClientContext.Provider value={client}>
      <MessagesContext.Provider value={merged}>
        <AnnouncerContext.Provider value={announce ? channel : null}>
          {children}
          {announce && <SyncAnnouncer channel={channel} />}
        </AnnouncerContext.Provider>
      </MessagesContext.Provider>
    </SyncClientContext.Provider>
  )
}
