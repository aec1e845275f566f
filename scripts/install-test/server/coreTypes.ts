// Core's declarations under nodenext: `client.db` keeps the app's Dexie type instead of turning into `any`.
import { createSyncClient, type SyncClient } from '@driftless/core'
import { Dexie, type EntityTable } from 'dexie'

type IsAny<T> = 0 extends 1 & T ? true : false

export function typedClient(): SyncClient {
  const db = new Dexie('types') as Dexie & { notes: EntityTable<{ id: string }, 'id'> }
  db.version(1).stores({ notes: 'id' })
  const client = createSyncClient(db, { tables: { notes: true } })
  const dbIsTyped: IsAny<typeof client.db> = false
  void dbIsTyped
  return client
}
