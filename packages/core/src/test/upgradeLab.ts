/**
 * An app's life across schema versions, one step per page load, run in a real browser by the e2e suite:
 * each step declares the versions that app release knows, makes its tables synced, writes, and reports
 * what the queue holds.
 */
import Dexie, { type Transaction } from 'dexie'
import type { SyncedTables } from '../capture/capture.js'
import { META_TABLE } from '../capture/outbox.js'
import { createSyncClient, type SyncClient } from '../session/syncClient.js'
import type { SyncStatus } from '../shared/status.js'

/** `older`: a tab still running the v2 release, opening the database the v3 release upgraded. */
export type UpgradeStep = 'v1' | 'v2' | 'v3' | 'older'

export interface UpgradeReport {
  verno: number
  queue: { collection: string; recordId: string; type: string; status: string }[]
  cursor: unknown
  todos: unknown[]
  failedChanges: number
}

const stores = {
  1: { todos: 'id', notes: 'id' },
  2: { todos: 'id, title' },
  3: { lists: 'id', notes: null },
}

const addPriority = (tx: Transaction) =>
  tx
    .table('todos')
    .toCollection()
    .modify((row: { priority?: number }) => {
      row.priority = 0
    })

/** Opens `name` as the release of `step` would, does that release's writes, and reports. */
export async function runUpgradeStep(name: string, step: UpgradeStep): Promise<UpgradeReport> {
  const db = new Dexie(name)
  db.version(1).stores(stores[1])
  if (step !== 'v1') db.version(2).stores(stores[2]).upgrade(addPriority)
  if (step === 'v3') db.version(3).stores(stores[3])
  const tables: SyncedTables = step === 'v3' ? { todos: true, lists: true } : { todos: true, notes: true }
  const client = createSyncClient(db, { tables })
  try {
    // The leader parks the changes of a table its release does not sync when it starts; the status shows it.
    await whenStatus(
      client,
      (status) => status.isLeader && status.failedChanges === (step === 'v1' || step === 'v2' ? 0 : 1),
    )
    if (step === 'v1') {
      await db.table('todos').add({ id: 'a', title: 'Milk' })
      await db.table('notes').add({ id: 'n1', text: 'call Bob' })
      await db.table(META_TABLE).put({ key: 'pull:cursor', value: 'cursor-41' })
    } else if (step === 'v2') {
      await db.table('todos').update('a', { title: 'Oat milk' })
    } else if (step === 'v3') {
      await db.table('lists').put({ id: 'l1', title: 'Groceries' })
    } else {
      await db.table('todos').add({ id: 'b', title: 'Bread' })
    }
    const queue = (await client.listChanges()).map(({ collection, recordId, type, status }) => ({
      collection,
      recordId,
      type,
      status,
    }))
    return {
      verno: db.verno,
      queue,
      cursor: (await db.table(META_TABLE).get('pull:cursor'))?.value,
      todos: await db.table('todos').toArray(),
      failedChanges: (await client.listChanges({ status: 'failed' })).length,
    }
  } finally {
    await client.close()
    db.close()
  }
}

function whenStatus(client: SyncClient, ready: (status: SyncStatus) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (!ready(client.getSnapshot())) return
      unsubscribe()
      resolve()
    }
    const unsubscribe = client.subscribe(check)
    check()
  })
}
