import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { useEngineTimers } from '../test/engineHarness.js'
import { FakeSyncServer } from '../test/fakeServer.js'
import { closeClients, connector, createDevice, storedCursor } from '../test/syncSetup.js'

beforeEach(() => useEngineTimers())
afterEach(async () => {
  await closeClients()
  vi.useRealTimers()
})

/** What another page (or the browser clearing site data) does: delete the database by name. */
function deleteFromElsewhere(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name)
    request.onsuccess = () => resolve()
    request.onerror = () => reject(request.error)
  })
}

describe('the database deleted under the app', () => {
  it('says so, and syncs everything again from the server into the reopened database', async () => {
    const server = new FakeSyncServer()
    server.write('todos', 's1', { id: 's1', title: 'from another device' })
    const { client, db, events } = createDevice(server)
    await client.connect(connector)
    await db.todos.add({ id: 't1', title: 'mine' })
    await client.sync()
    expect(await storedCursor(client)).toBe('2')

    await deleteFromElsewhere(db.name)
    expect(events.filter((event) => event.phase === 'reset')).toMatchObject([{ reason: 'database-deleted' }])
    expect(client.getSnapshot().hasSynced).toBe(false)

    await vi.waitFor(async () => {
      expect(client.getSnapshot().hasSynced).toBe(true)
      expect(await db.todos.orderBy('id').toArray()).toEqual([
        { id: 's1', title: 'from another device' },
        { id: 't1', title: 'mine' },
      ])
    })
    expect(await storedCursor(client)).toBe('2')

    // The reopened database captures and uploads writes as before.
    await db.todos.add({ id: 't2', title: 'after the reset' })
    await vi.waitFor(() => expect(client.getSnapshot().pendingChanges).toBe(1))
    await client.sync()
    expect(server.get('todos', 't2')?.data).toEqual({ id: 't2', title: 'after the reset' })
    expect(client.getSnapshot().pendingChanges).toBe(0)
  })

  it('says how many changes made on this device were lost with it, because they had not synced', async () => {
    const server = new FakeSyncServer()
    const { client, db, events } = createDevice(server)
    await client.connect(connector)
    await db.todos.add({ id: 't1', title: 'synced' })
    await client.sync()
    await db.todos.add({ id: 't2', title: 'not synced yet' })
    await db.todos.put({ id: 't1', title: 'edited, not synced yet' })
    await vi.waitFor(() => expect(client.getSnapshot().pendingChanges).toBe(2))

    await deleteFromElsewhere(db.name)
    expect(events.filter((event) => event.phase === 'reset')).toMatchObject([
      { reason: 'database-deleted', lostChanges: 2 },
    ])
    await vi.waitFor(() => expect(client.getSnapshot().hasSynced).toBe(true))
    expect(client.getSnapshot().pendingChanges).toBe(0)
    expect(await db.todos.toArray()).toEqual([{ id: 't1', title: 'synced' }])
  })

  it('keeps "work offline" on: nothing is pulled or pushed until the person resumes', async () => {
    const server = new FakeSyncServer()
    server.write('todos', 's1', { id: 's1', title: 'from another device' })
    const { client, db } = createDevice(server)
    await client.connect(connector)
    await client.sync()
    await client.pause()
    const requestsWhilePaused = server.requests.length

    await deleteFromElsewhere(db.name)
    await vi.waitFor(() => expect(db.isOpen()).toBe(true))
    await db.todos.add({ id: 't1', title: 'while working offline' })
    await vi.advanceTimersByTimeAsync(60_000)
    expect(client.getSnapshot()).toMatchObject({ isPaused: true, connection: 'paused', pendingChanges: 1 })
    expect(server.requests.length).toBe(requestsWhilePaused)

    await client.resume()
    await vi.waitFor(() =>
      expect(server.get('todos', 't1')?.data).toEqual({ id: 't1', title: 'while working offline' }),
    )
    await vi.waitFor(async () =>
      expect(await db.todos.get('s1')).toEqual({ id: 's1', title: 'from another device' }),
    )
  })
})
