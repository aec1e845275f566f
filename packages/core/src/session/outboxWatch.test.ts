import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Outbox } from '../capture/outbox.js'
import type { SyncStatus } from '../shared/status.js'
import { clientFixture, closeClients } from '../test/clientFixture.js'
import { advance, useEngineTimers } from '../test/engineHarness.js'

beforeEach(() => useEngineTimers())
afterEach(async () => {
  await closeClients()
  vi.useRealTimers()
})

async function failOne(client: ReturnType<typeof clientFixture>['client']) {
  const batch = await client.getCrudBatch(1)
  await new Outbox(client.db, []).recordError(batch!.crud[0]!.id, 'rejected', 1)
}

describe('the status counts of the outbox', () => {
  it('are exact after a burst of writes, and only ever grow during it', async () => {
    const { db, client } = clientFixture()
    const heard: SyncStatus[] = []
    client.subscribe((status) => heard.push(status))
    for (let i = 0; i < 40; i++) await db.todos.put({ id: `t${i}`, title: `todo ${i}` })
    await advance(100)
    expect(client.getSnapshot()).toMatchObject({ pendingChanges: 40, failedChanges: 0 })
    const counts = heard.map((status) => status.pendingChanges)
    expect(counts).toEqual([...counts].sort((a, b) => a - b))
  })

  it('follow a completed batch', async () => {
    const { db, client } = clientFixture()
    await db.todos.bulkAdd([
      { id: 'a', title: 'a' },
      { id: 'b', title: 'b' },
      { id: 'c', title: 'c' },
    ])
    const batch = await client.getCrudBatch(2)
    await batch!.complete()
    await advance(100)
    expect(client.getSnapshot()).toMatchObject({ pendingChanges: 1, failedChanges: 0 })
  })

  it('follow retryFailed and discardFailed', async () => {
    const { db, client } = clientFixture()
    await db.todos.bulkAdd([
      { id: 'a', title: 'a' },
      { id: 'b', title: 'b' },
    ])
    await failOne(client)
    await advance(100)
    expect(client.getSnapshot()).toMatchObject({ pendingChanges: 1, failedChanges: 1 })
    await client.retryFailed()
    await advance(100)
    expect(client.getSnapshot()).toMatchObject({ pendingChanges: 2, failedChanges: 0 })
    await failOne(client)
    await client.discardFailed()
    await advance(100)
    expect(client.getSnapshot()).toMatchObject({ pendingChanges: 1, failedChanges: 0 })
  })

  it('are read from the database by a client made after a reload', async () => {
    const first = clientFixture()
    await first.db.todos.bulkAdd([
      { id: 'a', title: 'a' },
      { id: 'b', title: 'b' },
      { id: 'c', title: 'c' },
    ])
    await failOne(first.client)
    // A batch left in flight by the closed page counts as pending.
    await first.client.getCrudBatch(1)
    await first.client.close()
    const { client } = clientFixture({ dbName: first.db.name })
    await advance(100)
    expect(client.getSnapshot()).toMatchObject({ pendingChanges: 2, failedChanges: 1 })
  })
})
