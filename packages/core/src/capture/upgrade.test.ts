import Dexie, { type Transaction } from 'dexie'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createSyncClient } from '../session/syncClient.js'
import { closeClients, QUICK_OPTIONS, trackClient } from '../test/clientFixture.js'
import { advance, createTestEnvironment, credentials, useEngineTimers } from '../test/engineHarness.js'
import { FakeSyncServer } from '../test/fakeServer.js'
import { attachOutbox, type SyncedTables } from './capture.js'
import type { Outbox } from './outbox.js'

/** One `db.version(n)` of an app: its stores and, optionally, its upgrade function. */
interface Version {
  version: number
  stores: Record<string, string | null>
  upgrade?: (tx: Transaction) => Promise<unknown> | undefined
}

interface Row {
  id: string
  title: string
  priority?: number
}

let counter = 0
const names: string[] = []
const open: Dexie[] = []

function databaseName(): string {
  const name = `upgrade-${++counter}`
  names.push(name)
  return name
}

/** What an app does at startup: declare its versions, make its tables synced, open. */
async function openApp(name: string, versions: Version[], tables: SyncedTables) {
  const db = new Dexie(name)
  for (const { version, stores, upgrade } of versions) {
    const declared = db.version(version).stores(stores)
    if (upgrade) declared.upgrade(upgrade)
  }
  let clock = 1_000
  const outbox = attachOutbox(db, { tables, timestamp: () => ++clock })
  await db.open()
  open.push(db)
  return { db, outbox }
}

/** The app's session ends (a reload, a new deploy): the connection closes, IndexedDB keeps the data. */
function closeAll(): void {
  for (const db of open.splice(0)) db.close()
}

afterEach(async () => {
  await closeClients()
  vi.useRealTimers()
  closeAll()
  for (const name of names.splice(0)) await Dexie.delete(name)
})

const v1: Version = { version: 1, stores: { todos: 'id' } }
const v2: Version = { version: 2, stores: { todos: 'id, title' } }
const v3: Version = { version: 3, stores: { todos: 'id, title, priority' } }

async function queue(outbox: Outbox) {
  return (await outbox.list()).map(({ collection, recordId, type, status }) => ({
    collection,
    recordId,
    type,
    status,
  }))
}

/** A v1 session with two pending changes, a pull cursor and a clock, as a user leaves it. */
async function leaveV1Session(name: string, stores = v1) {
  const { db, outbox } = await openApp(name, [stores], { todos: true })
  await db.table('todos').add({ id: 'a', title: 'Milk' })
  await db.table('todos').put({ id: 'b', title: 'Bread' })
  await outbox.setMeta('pull:cursor', 'cursor-41')
  await outbox.setMeta('clock', { wall: 5_000, counter: 2 })
  closeAll()
}

const pendingV1 = [
  { collection: 'todos', recordId: 'a', type: 'create', status: 'pending' },
  { collection: 'todos', recordId: 'b', type: 'create', status: 'pending' },
]

describe('a schema upgrade keeps the queue', () => {
  it('keeps pending changes, the pull cursor and the clock when v1 opens under v1+v2', async () => {
    const name = databaseName()
    await leaveV1Session(name)

    const { db, outbox } = await openApp(name, [v1, v2], { todos: true })

    expect(await queue(outbox)).toEqual(pendingV1)
    expect(await outbox.getMeta('pull:cursor')).toBe('cursor-41')
    expect(await outbox.getMeta('clock')).toEqual({ wall: 5_000, counter: 2 })
    expect(db.verno).toBe(2)
  })

  it('keeps them from v1 straight to v3, without upgrade functions', async () => {
    const name = databaseName()
    await leaveV1Session(name)

    const { outbox } = await openApp(name, [v1, v2, v3], { todos: true })

    expect(await queue(outbox)).toEqual(pendingV1)
    expect(await outbox.getMeta('pull:cursor')).toBe('cursor-41')
  })

  it('keeps them through v1 → v2 → v3 with upgrade functions, and keeps the order of the queue', async () => {
    const name = databaseName()
    await leaveV1Session(name)
    const withPriority: Version = {
      ...v2,
      upgrade: (tx) =>
        tx
          .table('todos')
          .toCollection()
          .modify((row: Row) => {
            row.priority = 0
          }),
    }
    const upper: Version = {
      ...v3,
      upgrade: (tx) =>
        tx
          .table('todos')
          .toCollection()
          .modify((row: Row) => {
            row.title = row.title.toUpperCase()
          }),
    }

    const second = await openApp(name, [v1, withPriority], { todos: true })
    await second.db.table('todos').update('a', { title: 'Oat milk' })
    closeAll()
    const third = await openApp(name, [v1, withPriority, upper], { todos: true })
    await third.db.table('todos').delete('b')

    expect(await queue(third.outbox)).toEqual([
      ...pendingV1,
      { collection: 'todos', recordId: 'a', type: 'update', status: 'pending' },
      { collection: 'todos', recordId: 'b', type: 'delete', status: 'pending' },
    ])
    // Upgrade functions run on every device alike, so what they write is not queued.
    expect(await third.db.table('todos').get('a')).toEqual({ id: 'a', title: 'OAT MILK', priority: 0 })
    const seqs = (await third.outbox.list()).map((entry) => entry.seq)
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
  })

  it('keeps them when the new version is declared after the tables were made synced', async () => {
    const name = databaseName()
    await leaveV1Session(name)

    const db = new Dexie(name)
    db.version(1).stores(v1.stores)
    const outbox = attachOutbox(db, { tables: { todos: true } })
    db.version(2).stores(v2.stores)
    await db.open()
    open.push(db)

    expect(await queue(outbox)).toEqual(pendingV1)
    expect(await outbox.getMeta('clock')).toEqual({ wall: 5_000, counter: 2 })
  })

  it('keeps them when v3 adds a synced table, and captures writes to the new table', async () => {
    const name = databaseName()
    await leaveV1Session(name)

    const withLists: Version = { version: 3, stores: { lists: 'id' } }
    const { db, outbox } = await openApp(name, [v1, v2, withLists], { todos: true, lists: true })
    await db.table('lists').add({ id: 'l1', title: 'Groceries' })

    expect(await queue(outbox)).toEqual([
      ...pendingV1,
      { collection: 'lists', recordId: 'l1', type: 'create', status: 'pending' },
    ])
  })

  it('keeps the queued changes of a synced table that v3 drops, parked as failed with the reason', async () => {
    const name = databaseName()
    const first = await openApp(name, [{ version: 1, stores: { todos: 'id', notes: 'id' } }], {
      todos: true,
      notes: true,
    })
    await first.db.table('todos').add({ id: 'a', title: 'Milk' })
    await first.db.table('notes').add({ id: 'n1', text: 'call Bob' })
    closeAll()

    const { db, outbox } = await openApp(
      name,
      [
        { version: 1, stores: { todos: 'id', notes: 'id' } },
        { version: 3, stores: { notes: null } },
      ],
      { todos: true },
    )
    await outbox.init()

    expect(db.tables.map((table) => table.name)).not.toContain('notes')
    expect(await queue(outbox)).toEqual([
      { collection: 'todos', recordId: 'a', type: 'create', status: 'pending' },
      { collection: 'notes', recordId: 'n1', type: 'create', status: 'failed' },
    ])
    const [parked] = await outbox.list({ status: 'failed' })
    expect(parked?.data).toEqual({ id: 'n1', text: 'call Bob' })
    expect(parked?.errorMessage).toMatch(/"notes" is not synced by this version of the app/)
    // Retrying cannot upload it while the table is not synced; discarding is the app's decision.
    expect(await outbox.retryFailed()).toBe(0)
    expect(await outbox.takeBatch(10)).toMatchObject([{ recordId: 'a' }])
    expect(await outbox.discardFailed()).toBe(1)
  })

  it('queues parked changes again once a version that syncs their table starts', async () => {
    const name = databaseName()
    const both = { version: 1, stores: { todos: 'id', notes: 'id' } }
    const first = await openApp(name, [both], { todos: true, notes: true })
    await first.db.table('notes').add({ id: 'n1', text: 'call Bob' })
    closeAll()
    const second = await openApp(name, [both], { todos: true })
    await second.outbox.init()
    closeAll()

    const { outbox } = await openApp(name, [both], { todos: true, notes: true })
    await outbox.init()

    expect(await queue(outbox)).toEqual([
      { collection: 'notes', recordId: 'n1', type: 'create', status: 'pending' },
    ])
    expect((await outbox.list())[0]?.errorMessage).toBeNull()
  })

  it('keeps them when a database already at v3 is opened by code that declares only v1 and v2', async () => {
    const name = databaseName()
    const newer = await openApp(name, [v1, v2, v3], { todos: true })
    await newer.db.table('todos').add({ id: 'a', title: 'Milk' })
    await newer.outbox.setMeta('pull:cursor', 'cursor-7')
    closeAll()

    const { db, outbox } = await openApp(name, [v1, v2], { todos: true })
    await db.table('todos').add({ id: 'b', title: 'Bread' })

    expect(await queue(outbox)).toEqual(pendingV1)
    expect(await outbox.getMeta('pull:cursor')).toBe('cursor-7')
  })

  it('adopts an existing database made without Driftless: its stores are added, its rows kept', async () => {
    const name = databaseName()
    const plain = new Dexie(name)
    plain.version(1).stores(v1.stores)
    await plain.table('todos').add({ id: 'old', title: 'From before' })
    plain.close()

    const { db, outbox } = await openApp(name, [v1, v2], { todos: true })
    await db.table('todos').add({ id: 'a', title: 'Milk' })

    expect(await db.table('todos').count()).toBe(2)
    expect(await queue(outbox)).toEqual([pendingV1[0]])
  })
})

describe('a sync client after an upgrade that dropped a synced table', () => {
  it('uploads the other tables, reports the dropped table’s change as failed, and never pushes it', async () => {
    useEngineTimers()
    const name = databaseName()
    const both = { version: 1, stores: { todos: 'id', notes: 'id' } }
    const first = await openApp(name, [both], { todos: true, notes: true })
    await first.db.table('todos').add({ id: 'a', title: 'Milk' })
    await first.db.table('notes').add({ id: 'n1', text: 'call Bob' })
    closeAll()

    const db = new Dexie(name)
    db.version(1).stores(both.stores)
    db.version(3).stores({ notes: null })
    open.push(db)
    const server = new FakeSyncServer({ now: () => Date.now() })
    const env = createTestEnvironment(server)
    const client = trackClient(createSyncClient(db, { tables: { todos: true }, env, ...QUICK_OPTIONS }))
    await client.connect({ fetchCredentials: credentials() })
    await advance(500)

    expect(server.recordIds()).toEqual(['a'])
    expect(server.pushedChangeIds).toHaveLength(1)
    expect(client.getSnapshot()).toMatchObject({ pendingChanges: 0, failedChanges: 1 })
    const [parked] = await client.listChanges({ status: 'failed' })
    expect(parked).toMatchObject({
      collection: 'notes',
      recordId: 'n1',
      data: { id: 'n1', text: 'call Bob' },
    })
  })
})
