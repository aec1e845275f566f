// Core's declarations under nodenext: `client.db` keeps the app's Dexie type. With the TS2709 "namespace
// Dexie" declarations it silently became `any`, and then the assignment below would compile.
import { createSyncClient, type SyncClient } from '@driftless/core'
import { Dexie, type EntityTable } from 'dexie'

export function typedClient(): SyncClient {
  const db = new Dexie('types') as Dexie & { notes: EntityTable<{ id: string }, 'id'> }
  db.version(1).stores({ notes: 'id' })
  const client = createSyncClient(db, { tables: { notes: true } })
  // @ts-expect-error a Dexie database is not a number
  const notANumber: number = client.db
  void notANumber
  return client
}
