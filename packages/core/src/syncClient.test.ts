import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { SyncClient } from './client.js'
import { createSyncClient } from './syncClient.js'
import {
  advance,
  createTestEnvironment,
  createTodoDb,
  credentials,
  useEngineTimers,
} from './test/engineHarness.js'
import { FakeSyncServer } from './test/fakeServer.js'

let clients: SyncClient[] = []

beforeEach(() => useEngineTimers())
afterEach(async () => {
  for (const client of clients) await client.close()
  clients = []
  vi.useRealTimers()
})

function setup(options: Partial<Parameters<typeof createSyncClient>[1]> = {}) {
  const server = new FakeSyncServer({ now: () => Date.now() })
  const env = createTestEnvironment(server)
  const db = createTodoDb()
  const client = createSyncClient(db, { tables: { todos: true }, env, ...options })
  clients.push(client)
  return { server, env, db, client }
}

describe('createSyncClient (smoke)', () => {
  it('uploads a local write after connect and pulls it back', async () => {
    const { server, db, client } = setup()
    await client.connect({ fetchCredentials: credentials() })
    await db.todos.add({ id: 'a', title: 'milk' })
    await advance(2_000)
    expect(server.get('todos', 'a')?.data).toEqual({ id: 'a', title: 'milk' })
    expect(client.getSnapshot()).toMatchObject({ pendingChanges: 0, hasSynced: true, isConnected: true })
  })

  it('applies a server change to the local table without queuing it', async () => {
    const { server, db, client } = setup()
    server.write('todos', 'b', { id: 'b', title: 'from server' })
    await client.connect({ fetchCredentials: credentials() })
    await advance(500)
    expect(await db.todos.get('b')).toEqual({ id: 'b', title: 'from server' })
    expect(await client.listChanges()).toEqual([])
  })
})
