import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { clientFixture, closeClients } from '../test/clientFixture.js'
import { advance, credentials, useEngineTimers } from '../test/engineHarness.js'

// The credential cache's chunk, which the browser could not fetch (offline, a deploy removed it): the
// import rejects until it can. A file of its own: once a chunk has loaded, this worker keeps it.
const chunk = vi.hoisted(() => ({ reachable: true }))
vi.mock('./credentials.js', async (importOriginal) => {
  if (!chunk.reachable) throw new TypeError('Failed to fetch dynamically imported module: credentials.js')
  return importOriginal()
})

beforeEach(() => useEngineTimers())
afterEach(async () => {
  await closeClients()
  vi.useRealTimers()
  chunk.reachable = true
})

describe('the credential cache chunk', () => {
  it('is fetched again by the next round when it could not be, and that round syncs', async () => {
    chunk.reachable = false
    const { server, db, client } = clientFixture()
    await client.connect({ fetchCredentials: credentials() })
    await db.todos.add({ id: 'a', title: 'milk' })
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
