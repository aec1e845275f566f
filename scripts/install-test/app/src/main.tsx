// A new app on the published packages: one synced table, the React components, one sync round.
import { createSyncClient } from '@driftless/core'
import { SyncProvider, SyncStatus, useSyncStatus } from '@driftless/react'
import '@driftless/react/styles.css'
import { Dexie, type EntityTable } from 'dexie'
import { createRoot } from 'react-dom/client'
import * as v from 'valibot'

const Note = v.object({ id: v.string(), text: v.pipe(v.string(), v.minLength(1)) })
type Note = v.InferOutput<typeof Note>

const db = new Dexie('install-test') as Dexie & { notes: EntityTable<Note, 'id'> }
db.version(1).stores({ notes: 'id' })
const sync = createSyncClient(db, { tables: { notes: { schema: Note } }, autoSync: false })

function Pending() {
  const pending = useSyncStatus((status) => status.pendingChanges)
  return <p id="pending">{pending} pending</p>
}

createRoot(document.getElementById('root') as HTMLElement).render(
  <SyncProvider client={sync}>
    <SyncStatus />
    <Pending />
  </SyncProvider>,
)

/** Writes a note, runs one round against this page's origin, and returns what the table holds then. */
async function syncRound(userId: string, text: string): Promise<Note[]> {
  const fetchCredentials = async () => {
    const response = await fetch('/auth/dev-token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId }),
    })
    const { token } = (await response.json()) as { token: string }
    return { endpoint: location.origin, token }
  }
  await sync.connect({ fetchCredentials })
  await db.notes.add({ id: crypto.randomUUID(), text })
  await sync.sync()
  return (await db.notes.toArray()).sort((a, b) => a.text.localeCompare(b.text))
}

Object.assign(window, { syncRound })
