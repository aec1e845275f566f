import Dexie from 'dexie'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { attachOutbox } from '../capture/capture.js'
import { useEngineTimers } from '../test/engineHarness.js'
import { FakeSyncServer } from '../test/fakeServer.js'
import { closeClients, connector, createDevice } from '../test/syncSetup.js'

beforeEach(() => useEngineTimers())
afterEach(async () => {
  await closeClients()
  vi.useRealTimers()
})

/** A newer version of the app, opened in another tab: it upgrades the schema, which closes our connection. */
async function openNewerVersion(name: string): Promise<Dexie> {
  const newer = new Dexie(name)
  newer.version(1).stores({ todos: 'id, title', drafts: 'id' })
  newer.version(2).stores({ todos: 'id, title, done', drafts: 'id', lists: 'id' })
  attachOutbox(newer, { tables: { todos: true, lists: true } })
  await newer.open()
  return newer
}

describe('a newer version of the app upgrading the database from another tab', () => {
  it('keeps every queued change, and this tab goes on capturing and uploading on the upgraded database', async () => {
    const server = new FakeSyncServer()
    const { client, db } = createDevice(server)
    await db.todos.add({ id: 't1', title: 'queued before the upgrade' })

    const newer = await openNewerVersion(db.name)
    expect(db.isOpen()).toBe(false)
    await newer.table('todos').add({ id: 't2', title: 'written by the newer tab', done: false })

    // Dexie reopens our connection on the next operation, at the installed (newer) version.
    await db.todos.add({ id: 't3', title: 'written here after the upgrade' })
    expect(db.isOpen()).toBe(true)
    expect((await client.listChanges()).map((entry) => entry.recordId)).toEqual(['t1', 't2', 't3'])

    await client.connect(connector)
    await client.sync()
    expect(server.recordIds()).toEqual(['t1', 't2', 't3'])
    expect(await client.listChanges()).toEqual([])
    expect(client.getSnapshot()).toMatchObject({ pendingChanges: 0, failedChanges: 0, lastError: null })
    newer.close()
  })

  it('survives the browser closing the connection under the app (Safari: "Connection to Indexed Database server lost")', async () => {
    const server = new FakeSyncServer()
    const { client, db } = createDevice(server)
    await client.connect(connector)
    await db.todos.add({ id: 't1', title: 'before the connection was lost' })

    // What the browser does: it fires "close" on the connection, which is then unusable.
    const connection = db.backendDB()
    connection.close()
    connection.onclose?.(new Event('close'))
    expect(db.isOpen()).toBe(false)

    await db.todos.add({ id: 't2', title: 'after it was lost' })
    await client.sync()
    expect(server.recordIds()).toEqual(['t1', 't2'])
    expect(client.getSnapshot()).toMatchObject({ pendingChanges: 0, failedChanges: 0, lastError: null })
  })

  it('loses and doubles nothing when the connection is lost while a push is on its way', async () => {
    const server = new FakeSyncServer()
    let cut: (() => void) | null = null
    const { client, db } = createDevice(server, {
      fetch: async (url, init) => {
        const answer = await server.fetch(url, init)
        cut?.()
        cut = null
        return answer
      },
    })
    await client.connect(connector)
    await db.todos.bulkAdd([
      { id: 't1', title: 'one' },
      { id: 't2', title: 'two' },
    ])
    cut = () => {
      const connection = db.backendDB()
      connection.close()
      connection.onclose?.(new Event('close'))
    }
    await client.sync().catch(() => {})
    await db.todos.add({ id: 't3', title: 'three' })
    await client.sync()
    await client.sync()
    expect(server.recordIds()).toEqual(['t1', 't2', 't3'])
    expect(server.changes).toHaveLength(3)
    expect(await client.listChanges()).toEqual([])
    expect(client.getSnapshot()).toMatchObject({ pendingChanges: 0, failedChanges: 0 })
  })
})
