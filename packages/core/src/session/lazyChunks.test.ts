import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { clientFixture, closeClients } from '../test/clientFixture.js'
import { advance, credentials, useEngineTimers } from '../test/engineHarness.js'

// A chunk the browser could not fetch (offline, a deploy removed it): the import rejects until it can.
const chunk = vi.hoisted(() => ({ reachable: true }))
vi.mock('../sync/uploadLoop.js', async (importOriginal) => {
  if (!chunk.reachable) throw new TypeError('Failed to fetch dynamically imported module: uploadLoop.js')
  return importOriginal()
})

beforeEach(() => useEngineTimers())
afterEach(async () => {
  await closeClients()
  vi.useRealTimers()
  chunk.reachable = true
})

describe('the engine chunks', () => {
  it('a round whose loops could not be fetched fails visibly, and the next round loads them and syncs', async () => {
    chunk.reachable = false
    const { server, db, client } = clientFixture()
    await client.connect({ fetchCredentials: credentials() })
    await db.todos.add({ id: 'a', title: 'milk' })
    // Vitest wraps an error thrown by a mock factory, so only the failure itself is checked here.
    await expect(client.sync()).rejects.toThrow()
    expect(client.getSnapshot().lastError).toEqual(expect.any(String))
    expect(server.get('todos', 'a')).toBeUndefined()

    chunk.reachable = true
    await client.sync()
    await advance(100)
    expect(server.get('todos', 'a')?.data).toEqual({ id: 'a', title: 'milk' })
    expect(client.getSnapshot()).toMatchObject({ pendingChanges: 0, lastError: null })
  })
})
