import { Dexie, liveQuery } from 'dexie'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { clientFixture, closeClients } from '../test/clientFixture.js'
import { advance, useEngineTimers } from '../test/engineHarness.js'

beforeEach(() => useEngineTimers())
afterEach(async () => {
  await closeClients()
  vi.useRealTimers()
})

describe('the pending count follows a write at once', () => {
  it('counts a write by the time the write resolves, before any live query has re-run', async () => {
    const { db, client } = clientFixture()
    await advance(100)
    expect(client.getSnapshot()).toMatchObject({ isLoaded: true, pendingChanges: 0 })
    await db.todos.add({ id: 'a', title: 'milk' })
    expect(client.getSnapshot().pendingChanges).toBe(1)
    await db.todos.bulkPut([
      { id: 'a', title: 'oat milk' },
      { id: 'b', title: 'bread' },
    ])
    expect(client.getSnapshot().pendingChanges).toBe(3)
    await advance(100)
    expect(client.getSnapshot().pendingChanges).toBe(3)
  })

  it('never lets a list that shows the new row see a status that does not count it', async () => {
    const { db, client } = clientFixture()
    await advance(100)
    const seen: { titles: string[]; pending: number }[] = []
    const list = liveQuery(() => db.todos.toArray()).subscribe((rows) =>
      seen.push({ titles: rows.map((row) => row.title), pending: client.getSnapshot().pendingChanges }),
    )
    await advance(100)
    await db.todos.add({ id: 'a', title: 'milk' })
    await advance(100)
    await db.todos.add({ id: 'b', title: 'bread' })
    await advance(100)
    list.unsubscribe()
    expect(seen).toEqual([
      { titles: [], pending: 0 },
      { titles: ['milk'], pending: 1 },
      { titles: ['milk', 'bread'], pending: 2 },
    ])
  })

  it('takes back the count of a transaction that rolled back', async () => {
    const { db, client } = clientFixture()
    await advance(100)
    await expect(
      db.transaction('rw', db.todos, async () => {
        await db.todos.add({ id: 'a', title: 'milk' })
        await db.todos.add({ id: 'b', title: 'bread' })
        throw new Error('the app changed its mind')
      }),
    ).rejects.toThrow('the app changed its mind')
    // IndexedDB reports the abort a moment after Dexie rejects the transaction.
    await advance(100)
    expect(client.getSnapshot().pendingChanges).toBe(0)
    expect(await db.todos.count()).toBe(0)
  })

  it("tells status listeners outside the write's transaction, so a listener that reads the database does not join it", async () => {
    const { db, client } = clientFixture()
    await advance(100)
    const seen: { pending: number; inTransaction: boolean }[] = []
    client.subscribe((status) =>
      seen.push({ pending: status.pendingChanges, inTransaction: Dexie.currentTransaction !== null }),
    )
    await db.transaction('rw', db.todos, async () => {
      await db.todos.add({ id: 'a', title: 'milk' })
      await db.todos.add({ id: 'b', title: 'bread' })
    })
    expect(seen.slice(0, 2)).toEqual([
      { pending: 1, inTransaction: false },
      { pending: 2, inTransaction: false },
    ])
  })
})
